module clusterlab/images/registrator-standin

go 1.26.8
