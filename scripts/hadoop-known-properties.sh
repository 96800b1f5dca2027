#!/bin/bash
# Regenerates components/hadoop/known-properties.ts: the property names Hadoop documents in its
# *-default.xml files, read from the jars of a built images/hadoop (the version it pins).
#   bash scripts/hadoop-known-properties.sh clusterlab/hadoop:<tag>
set -euo pipefail
image="${1:?usage: $0 <clusterlab/hadoop image>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"; docker rm -f "$container" >/dev/null 2>&1 || true' EXIT
container="$(docker create "$image")"
version="$(docker run --rm "$image" printenv HADOOP_VERSION)"
for jar in hadoop-common hadoop-hdfs hadoop-yarn-common hadoop-mapreduce-client-core; do
  docker cp -q "$container:/opt/hadoop/lib/$jar-$version.jar" "$work/"
done
python3 - "$work" "$version" > "$root/components/hadoop/known-properties.ts" <<'PY'
import json, sys, zipfile, xml.etree.ElementTree as ET
work, version = sys.argv[1], sys.argv[2]
print("// The property names Hadoop %s documents in its *-default.xml files (core-default.xml in" % version)
print("// hadoop-common, hdfs-default.xml in hadoop-hdfs, yarn-default.xml in hadoop-yarn-common,")
print("// mapred-default.xml in hadoop-mapreduce-client-core), read from the jars images/hadoop installs")
print("// by scripts/hadoop-known-properties.sh. `properties` are checked against them, so a")
print("// misspelt name is an error at preview instead of a setting Hadoop silently ignores.")
print("// Regenerate with the script when images/hadoop moves to another Hadoop version.")
print()
print('export const hadoopVersionOfKnownProperties = "%s";' % version)
for kind, jar, name in [("Core", "hadoop-common", "core-default.xml"), ("Hdfs", "hadoop-hdfs", "hdfs-default.xml"),
                        ("Yarn", "hadoop-yarn-common", "yarn-default.xml"), ("Mapred", "hadoop-mapreduce-client-core", "mapred-default.xml")]:
    root = ET.fromstring(zipfile.ZipFile("%s/%s-%s.jar" % (work, jar, version)).read(name))
    names = sorted({p.findtext("name").strip() for p in root.iter("property")})
    print()
    print("export const known%sProperties: readonly string[] = [" % kind)
    for n in names:
        print("    %s," % json.dumps(n))
    print("];")
PY
echo "components/hadoop/known-properties.ts: Hadoop $version" >&2
