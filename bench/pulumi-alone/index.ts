// The bench's yardstick (bench/lib/pulumi-alone.ts): as many dynamic resources as a cluster's
// stack holds, whose provider does nothing. Their `up` and `destroy` are Pulumi's own cost — the
// CLI, the dynamic-provider process, the steps and the state written after each — with no
// clusterlab code and no engine work. Flat: no dependencies, so every delete runs at once.
import * as pulumi from "@pulumi/pulumi";

const noop: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { index: number }) {
        return { id: String(inputs.index), outs: inputs };
    },
    async delete() {
        // Nothing: what is timed is Pulumi's own work around the call.
    },
};

class Noop extends pulumi.dynamic.Resource {
    constructor(name: string, index: number) {
        super(noop, name, { index }, {}, "bench", "Noop");
    }
}

const count = new pulumi.Config().requireNumber("resources");
for (let index = 0; index < count; index++) {
    new Noop(`noop-${index}`, index);
}
