// registrator-standin: registers the published ports of the containers on one Docker engine as
// services in the local Consul agent, and removes them when the container dies. It speaks the
// command line and SERVICE_* metadata of gliderlabs/registrator's consul:// backend, which cannot
// be built here (README.md says why). Standard library only.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	hostIP        = flag.String("ip", "", "IP for ports mapped to the host")
	internal      = flag.Bool("internal", false, "use internal ports instead of published ones")
	explicit      = flag.Bool("explicit", false, "only register containers which have SERVICE_NAME set")
	forceTags     = flag.String("tags", "", "append tags for all registered services")
	resync        = flag.Int("resync", 0, "frequency with which services are resynchronized, in seconds (0: never)")
	deregister    = flag.String("deregister", "always", "deregister exited services \"always\" or \"on-success\"")
	cleanup       = flag.Bool("cleanup", false, "remove dangling services this host registered")
	retryAttempts = flag.Int("retry-attempts", 0, "max retry attempts to reach Consul at start (-1: forever)")
	retryInterval = flag.Int("retry-interval", 2000, "interval between retries, in milliseconds")
)

// service is the body of Consul's PUT /v1/agent/service/register.
type service struct {
	ID      string            `json:"ID"`
	Name    string            `json:"Name"`
	Tags    []string          `json:"Tags,omitempty"`
	Address string            `json:"Address"`
	Port    int               `json:"Port"`
	Meta    map[string]string `json:"Meta,omitempty"`
	Check   *check            `json:"Check,omitempty"`
}

type check struct {
	HTTP     string `json:"HTTP,omitempty"`
	TCP      string `json:"TCP,omitempty"`
	Interval string `json:"Interval,omitempty"`
	Timeout  string `json:"Timeout,omitempty"`
}

type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

type container struct {
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Config struct {
		Image        string              `json:"Image"`
		Env          []string            `json:"Env"`
		Labels       map[string]string   `json:"Labels"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
	} `json:"Config"`
	State struct {
		Running  bool `json:"Running"`
		ExitCode int  `json:"ExitCode"`
	} `json:"State"`
	NetworkSettings struct {
		IPAddress string                   `json:"IPAddress"`
		Ports     map[string][]portBinding `json:"Ports"`
		Networks  map[string]struct {
			IPAddress string `json:"IPAddress"`
		} `json:"Networks"`
	} `json:"NetworkSettings"`
}

var (
	docker   *http.Client
	consul   = &http.Client{Timeout: 10 * time.Second}
	consulAt string
	hostname string
	mu       sync.Mutex
	byID     = map[string][]string{} // container id -> the service ids registered for it
)

func main() {
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: %s [options] consul://<host>:<port>\n\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("registrator: ")
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	uri, err := url.Parse(flag.Arg(0))
	if err != nil || uri.Scheme != "consul" {
		log.Fatalf("registry %q: this stand-in supports only consul://<host>:<port>", flag.Arg(0))
	}
	consulAt = "http://" + uri.Host
	if uri.Host == "" {
		consulAt = "http://127.0.0.1:8500"
	}
	if *deregister != "always" && *deregister != "on-success" {
		log.Fatalf("-deregister must be \"always\" or \"on-success\", got %q", *deregister)
	}
	// Service ids start with the engine's host name, as registrator's do; with --net=host (the
	// seed's way) that is the Docker host's name.
	if hostname, err = os.Hostname(); err != nil {
		log.Fatal(err)
	}
	docker = dockerClient()

	for attempt := 0; ; attempt++ {
		var leader string
		if err = consulJSON("GET", "/v1/status/leader", nil, &leader); err == nil && leader != "" {
			break
		}
		if *retryAttempts != -1 && attempt >= *retryAttempts {
			log.Fatalf("consul at %s has no leader: %v", consulAt, err)
		}
		time.Sleep(time.Duration(*retryInterval) * time.Millisecond)
	}
	log.Printf("using consul at %s, host %s", consulAt, hostname)

	events := make(chan dockerEvent)
	go watchEvents(events)
	go heartbeat()
	syncAll()
	var tick <-chan time.Time
	if *resync > 0 {
		tick = time.NewTicker(time.Duration(*resync) * time.Second).C
	}
	for {
		select {
		case e := <-events:
			switch e.Action {
			case "start":
				register(e.ID)
			case "die":
				remove(e.ID, e.Actor.Attributes["exitCode"])
			case "sync":
				syncAll()
			}
		case <-tick:
			syncAll()
		}
	}
}

// dockerClient talks to DOCKER_HOST, else the socket registrator's image mounts at
// /tmp/docker.sock, else /var/run/docker.sock.
func dockerClient() *http.Client {
	sock := "/var/run/docker.sock"
	if _, err := os.Stat("/tmp/docker.sock"); err == nil {
		sock = "/tmp/docker.sock"
	}
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		sock = strings.TrimPrefix(h, "unix://")
	} else if h != "" {
		log.Fatalf("DOCKER_HOST %q: only unix:// sockets are supported", h)
	}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
}

func dockerJSON(p string, out any) error {
	resp, err := docker.Get("http://docker" + p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("docker GET %s: %s %s", p, resp.Status, bytes.TrimSpace(b))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func consulJSON(method, p string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, consulAt+p, r)
	if err != nil {
		return err
	}
	resp, err := consul.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("consul %s %s: %s %s", method, p, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type dockerEvent struct {
	Action string `json:"Action"`
	ID     string `json:"id"`
	Actor  struct {
		Attributes map[string]string `json:"Attributes"`
	} `json:"Actor"`
}

// eventsConnected is set while the docker event stream is open.
var eventsConnected atomic.Bool

// heartbeat touches /tmp/registrator.ready every 5 s while the event stream is open and Consul
// has a leader; the healthcheck wants it fresh.
func heartbeat() {
	for ; ; time.Sleep(5 * time.Second) {
		var leader string
		if eventsConnected.Load() && consulJSON("GET", "/v1/status/leader", nil, &leader) == nil && leader != "" {
			now := time.Now()
			if err := os.Chtimes(readyFile, now, now); os.IsNotExist(err) {
				_ = os.WriteFile(readyFile, nil, 0o644)
			}
		}
	}
}

const readyFile = "/tmp/registrator.ready"

// watchEvents streams container start/die events for ever, reconnecting after an error.
func watchEvents(out chan<- dockerEvent) {
	filters := url.QueryEscape(`{"type":["container"],"event":["start","die"]}`)
	for {
		resp, err := docker.Get("http://docker/events?filters=" + filters)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("%s", resp.Status)
			resp.Body.Close()
		} else if err == nil {
			eventsConnected.Store(true)
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				var e dockerEvent
				if json.Unmarshal(sc.Bytes(), &e) == nil && e.ID != "" {
					out <- e
				}
			}
			resp.Body.Close()
			eventsConnected.Store(false)
			err = sc.Err()
		}
		log.Printf("docker events: %v; reconnecting", err)
		time.Sleep(time.Duration(*retryInterval) * time.Millisecond)
		// Anything that started or died meanwhile is caught by a full sync.
		out <- dockerEvent{Action: "sync"}
	}
}

// syncAll registers every running container and, with -cleanup, removes this host's services
// whose container is gone.
func syncAll() {
	var list []struct {
		ID string `json:"Id"`
	}
	if err := dockerJSON("/containers/json", &list); err != nil {
		log.Printf("listing containers: %v", err)
		return
	}
	running := map[string]bool{}
	for _, c := range list {
		running[c.ID] = true
		register(c.ID)
	}
	if !*cleanup {
		return
	}
	var services map[string]service
	if err := consulJSON("GET", "/v1/agent/services", nil, &services); err != nil {
		log.Printf("listing services: %v", err)
		return
	}
	mu.Lock()
	mine := map[string]bool{}
	for id, ids := range byID {
		if running[id] {
			for _, s := range ids {
				mine[s] = true
			}
		}
	}
	mu.Unlock()
	for id := range services {
		if strings.HasPrefix(id, hostname+":") && !mine[id] {
			if err := consulJSON("PUT", "/v1/agent/service/deregister/"+url.PathEscape(id), nil, nil); err == nil {
				log.Printf("removed dangling %s", id)
			}
		}
	}
}

func register(id string) {
	var c container
	if err := dockerJSON("/containers/"+id+"/json", &c); err != nil {
		log.Printf("inspecting %.12s: %v", id, err)
		return
	}
	services := servicesOf(&c)
	ids := make([]string, 0, len(services))
	for _, s := range services {
		if err := consulJSON("PUT", "/v1/agent/service/register", s, nil); err != nil {
			log.Printf("registering %s: %v", s.ID, err)
			continue
		}
		ids = append(ids, s.ID)
	}
	mu.Lock()
	before := strings.Join(byID[c.ID], " ")
	byID[c.ID] = ids
	mu.Unlock()
	// A resync re-registers everything; only what is new is worth a line.
	if strings.Join(ids, " ") != before {
		for _, s := range ids {
			log.Printf("added %s", s)
		}
	}
}

func remove(id, exitCode string) {
	if *deregister == "on-success" && exitCode != "" && exitCode != "0" {
		return
	}
	mu.Lock()
	ids := byID[id]
	delete(byID, id)
	mu.Unlock()
	for _, s := range ids {
		if err := consulJSON("PUT", "/v1/agent/service/deregister/"+url.PathEscape(s), nil, nil); err != nil {
			log.Printf("removing %s: %v", s, err)
			continue
		}
		log.Printf("removed %s", s)
	}
}

// servicesOf follows registrator's rules: one service per published port (per exposed port
// with -internal); name from SERVICE_[<port>_]NAME, else the image's base name, suffixed with
// "-<port>" when the container has several; id "<host>:<container>:<port>[:udp]".
func servicesOf(c *container) []service {
	meta := map[string]string{}
	for _, kv := range c.Config.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "SERVICE_") {
			meta[strings.ToLower(strings.TrimPrefix(k, "SERVICE_"))] = v
		}
	}
	for k, v := range c.Config.Labels { // labels win over env, as in registrator
		if strings.HasPrefix(k, "SERVICE_") {
			meta[strings.ToLower(strings.TrimPrefix(k, "SERVICE_"))] = v
		}
	}
	if meta["ignore"] != "" || *explicit && meta["name"] == "" {
		return nil
	}
	ports := map[string][]portBinding{}
	for p := range c.Config.ExposedPorts {
		ports[p] = nil
	}
	for p, b := range c.NetworkSettings.Ports {
		ports[p] = b
	}
	keys := make([]string, 0, len(ports))
	for p := range ports {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	image := c.Config.Image
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	containerIP := c.NetworkSettings.IPAddress
	for _, n := range c.NetworkSettings.Networks {
		if containerIP == "" {
			containerIP = n.IPAddress
		}
	}
	var out []service
	for _, key := range keys {
		port, proto, _ := strings.Cut(key, "/")
		var addr, published string
		for _, b := range ports[key] {
			if b.HostPort != "" {
				addr, published = b.HostIP, b.HostPort
				break
			}
		}
		if *internal {
			addr, published = containerIP, port
		} else if published == "" {
			continue // not published on the host: nothing outside can reach it
		}
		if *hostIP != "" && !*internal {
			addr = *hostIP
		}
		pm := func(k string) string {
			if v, ok := meta[port+"_"+k]; ok {
				return v
			}
			return meta[k]
		}
		if pm("ignore") != "" {
			continue
		}
		name := pm("name")
		if name == "" {
			name = path.Base(image)
			if len(keys) > 1 {
				name += "-" + port
			}
		}
		id := hostname + ":" + strings.TrimPrefix(c.Name, "/") + ":" + port
		if proto == "udp" {
			id += ":udp"
		}
		var n int
		fmt.Sscanf(published, "%d", &n)
		s := service{ID: id, Name: name, Address: addr, Port: n}
		for _, t := range strings.Split(pm("tags")+","+*forceTags, ",") {
			if t = strings.TrimSpace(t); t != "" {
				s.Tags = append(s.Tags, t)
			}
		}
		if h := pm("check_http"); h != "" {
			s.Check = &check{HTTP: fmt.Sprintf("http://%s:%d%s", addr, n, h)}
		} else if pm("check_tcp") != "" {
			s.Check = &check{TCP: fmt.Sprintf("%s:%d", addr, n)}
		}
		if s.Check != nil {
			s.Check.Interval, s.Check.Timeout = pm("check_interval"), pm("check_timeout")
			if s.Check.Interval == "" {
				s.Check.Interval = "10s"
			}
		}
		out = append(out, s)
	}
	return out
}
