import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../core/provider-shim";
import { Inputs } from "../core/docker/resources";
import { Engine, inspect, runDocker } from "../core/docker/cli";

// The load balancer's upstream file as a resource: written into the running nginx container,
// checked with `nginx -t`, and applied with `nginx -s reload`, so a change of workers never
// restarts the master's container (the seed edited nginx.conf by hand and rebuilt the image).

/**
 * The engine block (`dockerHost`, and `dockerTls`/`dockerSsh` for a TLS or ssh:// engine, as
 * `Host.engine` gives them): the file is written over the same connection as the master's
 * containers. The TLS and ssh settings are how to connect, not where the file is: no diff.
 */
export interface NginxConfigInputs extends Engine {
    /** The nginx container, by name. */
    container: string;
    /** The file's path in the container; nginx.conf must include it. */
    path: string;
    content: string;
    /** Values whose change applies the file again, such as the backends' container ids (nginx resolves names at reload). */
    triggers: string[];
}

/** The shell script run in the container: write, test, and reload, or put the previous file back. Pure. */
export function renderApplyScript(path: string): string {
    const previous = `${path}.previous`;
    return [
        "set -e",
        `if [ -f '${path}' ]; then cp '${path}' '${previous}'; else rm -f '${previous}'; fi`,
        `cat > '${path}'`,
        `if ! nginx -t -q; then if [ -f '${previous}' ]; then mv '${previous}' '${path}'; else rm -f '${path}'; fi; exit 1; fi`,
        "nginx -s reload",
    ].join("\n");
}

/**
 * What `refresh` concludes from the nginx container as found: the file lives in the container's
 * own layer, so a container removed by hand took it along (the resource is gone, and `up` writes
 * it into the new one); a stopped container still holds it (nothing to conclude); a running one
 * shows the file as it is, and a file that differs from the state's is drift that `up` applies
 * again. Without this, refresh kept a file that no longer existed and `up` left a new nginx
 * without any upstream. Pure, for tests; `content` is what `cat` printed, trimmed as runDocker does.
 */
export function upstreamAsFound(id: string, props: NginxConfigInputs, running: string | undefined, content: string | undefined):
    { id?: string; props?: NginxConfigInputs } {
    if (running === undefined) {
        return {};
    }
    if (running !== "true" || content === undefined || content === props.content.trim()) {
        return { id, props };
    }
    return { id, props: { ...props, content } };
}

async function apply(inputs: NginxConfigInputs): Promise<void> {
    await runDocker(inputs, ["exec", "-i", inputs.container, "sh", "-c", renderApplyScript(inputs.path)],
        Buffer.from(inputs.content, "utf8"));
}

/** Exported for the shim (its module and name are in states: keep them). */
export const nginxConfigProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: NginxConfigInputs) {
        await apply(inputs);
        return { id: `${inputs.container}:${inputs.path}`, outs: inputs };
    },
    async read(id: string, props: NginxConfigInputs) {
        const running = await inspect(props, "container", props.container, "{{.State.Running}}");
        const content = running === "true"
            ? await runDocker(props, ["exec", props.container, "cat", props.path]).catch(() => "")
            : undefined;
        return upstreamAsFound(id, props, running, content);
    },
    async diff(_id: string, olds: NginxConfigInputs, news: NginxConfigInputs) {
        // A new container has no file yet; the same container only needs the new text and a reload.
        // dockerTls and dockerSsh are left out: a rotated certificate or key changes nothing here.
        const replaces = ["dockerHost", "container", "path"].filter((key) =>
            (olds as unknown as Record<string, unknown>)[key] !== (news as unknown as Record<string, unknown>)[key]);
        const changes = replaces.length > 0 || olds.content !== news.content || JSON.stringify(olds.triggers) !== JSON.stringify(news.triggers);
        return { changes, replaces };
    },
    async update(_id: string, _olds: NginxConfigInputs, news: NginxConfigInputs) {
        await apply(news);
        return { outs: news };
    },
    async delete() {
        // The file lives in the container's own layer and goes with it.
    },
};

const nginxConfigShim = shimProvider("components/edm/nginx-upstream", "nginxConfigProvider", nginxConfigProvider);

/** A config file applied to a running nginx with a reload. */
export class NginxConfigFile extends pulumi.dynamic.Resource {
    declare public readonly content: pulumi.Output<string>;
    constructor(name: string, args: Inputs<NginxConfigInputs>, opts?: pulumi.CustomResourceOptions) {
        super(nginxConfigShim, name, { ...args }, opts, "nginx", "ConfigFile");
    }
}
