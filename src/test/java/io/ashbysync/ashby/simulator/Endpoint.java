package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One Ashby RPC endpoint: returns the full success envelope or throws {@link AshbyError}. */
@FunctionalInterface
interface Endpoint {
    ObjectNode handle(Call call);

    /** Name → (permission, handler) table every endpoint family registers into. */
    interface Registry {
        void add(String name, String permission, Endpoint handler);
    }
}
