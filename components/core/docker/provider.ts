import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { EngineSsh, EngineTls, sshFlags } from "./cli";

/** What a host says about reaching its engine; the provider's args are made from it. */
export interface EngineSettings {
    /** `unix://`, `tcp://` or `ssh://`; undefined for the ambient engine (DOCKER_HOST or the default socket). */
    dockerHost?: string;
    tls?: EngineTls;
    ssh?: EngineSsh;
}

/**
 * The `docker.Provider` args for an engine: the endpoint, TLS material as secrets, and the ssh
 * flags (key and known hosts given as text are written to a private file first, since ssh takes
 * them only as files). Pure but for those files.
 */
export function renderProviderArgs(engine: EngineSettings): docker.ProviderArgs {
    const sshOpts = sshFlags(engine.ssh);
    return {
        ...(engine.dockerHost === undefined ? {} : { host: engine.dockerHost }),
        ...(engine.tls === undefined ? {} : {
            caMaterial: pulumi.secret(engine.tls.ca),
            certMaterial: pulumi.secret(engine.tls.cert),
            keyMaterial: pulumi.secret(engine.tls.key),
        }),
        ...(sshOpts.length === 0 ? {} : { sshOpts }),
    };
}

/** The providers made so far, by host name and the settings each was made from. */
const madeProviders = new Map<string, docker.Provider>();

/**
 * One explicit `docker.Provider` per host of the program, named `docker-<host>`: every cluster on
 * that host shares it, so a stack of five clusters on one engine starts one provider process, and
 * no Docker object depends on ambient provider configuration. Hosts are plain objects made
 * wherever a host is needed (`Host.local()` in every cluster that is given none), so providers are
 * kept here by name and settings; another host of the same name that reaches its engine
 * differently gets a provider of its own, named after its settings' digest.
 */
export function providerForHost(hostName: string, engine: EngineSettings): docker.Provider {
    const settings = JSON.stringify([engine.dockerHost ?? null, engine.tls ?? null, engine.ssh ?? null]);
    const key = `${hostName}\0${settings}`;
    let provider = madeProviders.get(key);
    if (provider === undefined) {
        const sameName = [...madeProviders.keys()].some((made) => made.startsWith(`${hostName}\0`));
        const digest = createHash("sha256").update(settings).digest("hex").slice(0, 8);
        provider = new docker.Provider(sameName ? `docker-${hostName}-${digest}` : `docker-${hostName}`, renderProviderArgs(engine));
        madeProviders.set(key, provider);
    }
    return provider;
}
