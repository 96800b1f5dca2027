import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** A JSON answer of an HTTP call, with its status and who answered. */
export interface Answer {
    status: number;
    json: any;
    worker: string | null;
    /** The worker that forwarded the call to the owner of the instance, if one did. */
    forwardedBy: string | null;
}

export async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(url, {
        method,
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
        json = JSON.parse(text);
    } catch {
        // not JSON: keep the text
    }
    return { status: response.status, json, worker: response.headers.get("x-edm-worker"), forwardedBy: response.headers.get("x-edm-forwarded-by") };
}

/** Consul's view: the nodes, and the workers whose API check is passing. */
export async function consulNodes(consulUrl: string): Promise<string[]> {
    return ((await http("GET", `${consulUrl}/v1/catalog/nodes`)).json as { Node: string }[]).map((n) => n.Node).sort();
}

export async function passingWorkerApis(consulUrl: string): Promise<string[]> {
    const entries = (await http("GET", `${consulUrl}/v1/health/service/edm-worker-api?passing=true`)).json as { Service: { Meta: { worker: string } } }[];
    return entries.map((e) => e.Service.Meta.worker).sort();
}

export async function kvValue(consulUrl: string, key: string): Promise<string | undefined> {
    const answer = await fetch(`${consulUrl}/v1/kv/${key}?raw`);
    return answer.status === 404 ? undefined : answer.text();
}

/**
 * A small app as the seed's main system pushes one: a compose file and a Dockerfile on the
 * Debian base (perl-base is in it, so the build needs no network), answering HTTP on 8080
 * with a healthcheck, so `start` has something to wait for.
 */
export function appFiles(id: string, publishOn = "127.0.0.1"): Record<string, string> {
    const server = `use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 16, ReuseAddr => 1) or die; ` +
        `$SIG{TERM} = sub { exit 0 }; while (my $c = $s->accept) { my $l = <$c>; print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello from ${id}\\n"; close $c }`;
    return {
        "Dockerfile": [
            "FROM debian:bookworm-slim",
            `RUN printf '%s\\n' '${server.replace(/'/g, `'\\''`)}' > /server.pl`,
            `CMD ["perl", "/server.pl"]`,
            "",
        ].join("\n"),
        "docker-compose.yml": [
            "version: \"3.7\"",
            "services:",
            "  web:",
            "    build: .",
            // On another host the app is reached at that host's address: published on all of its addresses.
            publishOn === "" ? "    ports: [\"8080\"]" : `    ports: ["${publishOn}::8080"]`,
            "    healthcheck:",
            "      test: [\"CMD\", \"perl\", \"-MIO::Socket::INET\", \"-e\", \"exit(IO::Socket::INET->new('127.0.0.1:8080') ? 0 : 1)\"]",
            "      interval: 1s",
            "      retries: 30",
            "",
        ].join("\n"),
    };
}

/** Creates the repository in gogs as its admin and pushes the app to it over HTTP, as auto_repo.sh did. */
export async function pushToGogs(gogsUrl: string, user: string, password: string, repo: string, files: Record<string, string>): Promise<void> {
    const auth = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const created = await http("POST", `${gogsUrl}/api/v1/user/repos`, { name: repo, private: false }, { authorization: auth });
    if (created.status !== 201) {
        throw new Error(`gogs refused to create ${repo}: ${created.status} ${JSON.stringify(created.json)}`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edm-app-"));
    for (const [name, content] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, name), content);
    }
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    git("init", "-q", "-b", "master");
    git("add", ".");
    git("-c", "user.name=edm", "-c", "user.email=edm@example.invalid", "commit", "-q", "-m", "generated server code");
    const remote = new URL(`${gogsUrl}/${user}/${repo}.git`);
    remote.username = user;
    remote.password = password;
    git("push", "-q", remote.toString(), "master");
    fs.rmSync(dir, { recursive: true, force: true });
}

/** Where registrator put a service in consul's catalog: `address:port` of every entry, by node. */
export async function catalogEntries(consulUrl: string, namePrefix: string): Promise<string[]> {
    const services = Object.keys((await http("GET", `${consulUrl}/v1/catalog/services`)).json as Record<string, string[]>);
    const entries: string[] = [];
    for (const name of services.filter((s) => s.startsWith(namePrefix))) {
        const list = (await http("GET", `${consulUrl}/v1/catalog/service/${name}`)).json as { Node: string; ServiceAddress: string; ServicePort: number }[];
        entries.push(...list.map((e) => `${e.Node} ${e.ServiceAddress}:${e.ServicePort}`));
    }
    return entries.sort();
}
