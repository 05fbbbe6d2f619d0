package io.ashbysync.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.model.ApiKeyInfo;
import io.ashbysync.tenant.ConnectionCheck;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code connection.check}: proves the tenant's key works; the result lists the key's scopes. */
@ApplicationScoped
public class ConnectionCheckCommand implements CommandHandler {
    private final ConnectionCheck connectionCheck;
    private final ObjectMapper mapper;

    public ConnectionCheckCommand(ConnectionCheck connectionCheck, ObjectMapper mapper) {
        this.connectionCheck = connectionCheck;
        this.mapper = mapper;
    }

    @Override
    public String type() {
        return "connection.check";
    }

    @Override
    public void validate(CommandEnvelope command) {
        // No payload fields.
    }

    @Override
    public ObjectNode execute(CommandContext context) {
        ApiKeyInfo info = connectionCheck.check(context.tenant());
        ObjectNode output = mapper.createObjectNode().put("keyTitle", info.title());
        output.set("scopes", mapper.valueToTree(info.scopes()));
        return output;
    }
}
