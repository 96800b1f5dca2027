import { AuroraArgsInput } from "../../components/aurora/schema";

/** Two executors at once: the seed's compose executor, and one run without a shell, with mounts and overhead. */
export const twoExecutors: NonNullable<AuroraArgsInput["customExecutors"]> = [
    {
        executor: {
            name: "docker-compose-executor",
            command: {
                value: "java -jar docker-compose-executor_0.1.0.jar",
                shell: true,
                uris: [{ value: "https://github.com/mesos/docker-compose-executor/releases/download/0.1.0/docker-compose-executor_0.1.0.jar", executable: true, extract: false, cache: false }],
            },
            resources: [],
        },
        taskPrefix: "compose-",
    },
    {
        executor: {
            name: "myExecutor",
            command: {
                value: "myExecutor.a",
                shell: false,
                arguments: ["localhost:2181", "-verbose", "-config myConfiguration.config"],
                uris: [{ value: "/dist/myExecutor.a", executable: true, extract: false, cache: true }],
            },
            resources: [{ name: "cpus", scalar: { value: 1 } }, { name: "mem", scalar: { value: 512 } }],
        },
        taskPrefix: "my-executor-",
        volumeMounts: [{ hostPath: "/path/to/host/directory", containerPath: "/path/on/container", mode: "RO" }],
    },
];

/** The seed's two jobs: the thermos `hello` service, and the gorealis sample's compose job. */
export const seedJobs: NonNullable<AuroraArgsInput["jobs"]> = [
    { name: "hello", processes: [{ name: "hello", cmdline: "while true; do\n  echo hello world\n  sleep 10\ndone" }], service: true },
    {
        name: "docker-compose", role: "vagrant", executor: "docker-compose-executor", executorData: "{}",
        resources: { cpu: 1, ramMb: 64, diskMb: 100, ports: ["http"] },
        uris: [{ value: "https://github.com/mesos/docker-compose-executor/releases/download/0.1.0/sample-app.tar.gz", executable: true, extract: true }],
        labels: { fileName: "sample-app/docker-compose.yml" },
    },
];
