package io.ashbysync.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CommandEnvelopeTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private static String envelope(String type, String commandId, String tenantId, String requestedBy, String payload) {
        StringBuilder json = new StringBuilder("{");
        if (type != null) json.append("\"type\":").append(type).append(',');
        if (commandId != null) json.append("\"commandId\":").append(commandId).append(',');
        if (tenantId != null) json.append("\"tenantId\":").append(tenantId).append(',');
        if (requestedBy != null) json.append("\"requestedBy\":").append(requestedBy).append(',');
        if (payload != null) json.append("\"payload\":").append(payload).append(',');
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    @Test
    void parse_completeEnvelope_keepsEveryField() {
        CommandEnvelope command = CommandEnvelope.parse(envelope("\"candidate.export\"", "\"cmd-1\"", "\"acme\"",
                "{\"email\":\"rita@acme.example\",\"name\":\"Rita\"}", "{\"x\":1}"), mapper);
        assertThat(command.type()).isEqualTo("candidate.export");
        assertThat(command.commandId()).isEqualTo("cmd-1");
        assertThat(command.tenantId()).isEqualTo("acme");
        assertThat(command.requestedBy()).isEqualTo(new CommandEnvelope.RequestedBy("rita@acme.example", "Rita"));
        assertThat(command.payload().get("x").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "type missing            | null         | \"c1\" | \"acme\"    | {\"email\":\"a@b.co\"} | {}     | type is required",
            "type not a string       | 7            | \"c1\" | \"acme\"    | {\"email\":\"a@b.co\"} | {}     | type must be a non-empty string",
            "commandId missing       | \"t\"        | null   | \"acme\"    | {\"email\":\"a@b.co\"} | {}     | commandId is required",
            "commandId with spaces   | \"t\"        | \"a b\" | \"acme\"   | {\"email\":\"a@b.co\"} | {}     | commandId must be 1-128 characters of letters, digits, '.', '_', ':' or '-'",
            "tenantId with slash     | \"t\"        | \"c1\" | \"a/b\"     | {\"email\":\"a@b.co\"} | {}     | tenantId must be 1-64 characters of a-z, A-Z, 0-9, '-' or '_'",
            "requestedBy missing     | \"t\"        | \"c1\" | \"acme\"    | null                   | {}     | requestedBy is required and must be an object with an email",
            "requestedBy.email bad   | \"t\"        | \"c1\" | \"acme\"    | {\"email\":\"nope\"}   | {}     | requestedBy.email is not an email address",
            "requestedBy.name number | \"t\"        | \"c1\" | \"acme\"    | {\"email\":\"a@b.co\",\"name\":3} | {} | requestedBy.name must be a string",
            "payload an array        | \"t\"        | \"c1\" | \"acme\"    | {\"email\":\"a@b.co\"} | []     | payload is required and must be an object",
    })
    void parse_invalidField_namesTheField(String scenario, String type, String commandId, String tenantId,
                                          String requestedBy, String payload, String message) {
        String body = envelope(nullable(type), nullable(commandId), nullable(tenantId), nullable(requestedBy), nullable(payload));
        assertThatThrownBy(() -> CommandEnvelope.parse(body, mapper))
                .isInstanceOf(InvalidCommandException.class).hasMessage(message);
    }

    @Test
    void parse_notJson_saysSo() {
        assertThatThrownBy(() -> CommandEnvelope.parse("<xml/>", mapper)).hasMessage("body is not valid JSON");
        assertThatThrownBy(() -> CommandEnvelope.parse("[1]", mapper)).hasMessage("body must be a JSON object");
    }

    private static String nullable(String value) {
        return "null".equals(value) ? null : value;
    }

    @Test
    void payloadHash_isOfTheContent_notTheKeyOrder() {
        String requestedBy = "{\"email\":\"rita@acme.example\"}";
        CommandEnvelope sent = CommandEnvelope.parse(envelope("\"application.reject\"", "\"c1\"", "\"acme\"", requestedBy,
                "{\"applicationIds\":[\"a1\",\"a2\"],\"archiveReasonText\":\"Not a fit\",\"archiveEmail\":{\"sendAt\":\"2026-12-05T09:00:00Z\",\"communicationTemplateId\":\"t1\"}}"), mapper);
        CommandEnvelope redelivered = CommandEnvelope.parse(envelope("\"application.reject\"", "\"c1\"", "\"acme\"", requestedBy,
                "{\"archiveEmail\":{\"communicationTemplateId\":\"t1\",\"sendAt\":\"2026-12-05T09:00:00Z\"},\"archiveReasonText\":\"Not a fit\",\"applicationIds\":[\"a1\",\"a2\"]}"), mapper);
        CommandEnvelope otherOrderOfIds = CommandEnvelope.parse(envelope("\"application.reject\"", "\"c1\"", "\"acme\"", requestedBy,
                "{\"applicationIds\":[\"a2\",\"a1\"],\"archiveReasonText\":\"Not a fit\",\"archiveEmail\":{\"sendAt\":\"2026-12-05T09:00:00Z\",\"communicationTemplateId\":\"t1\"}}"), mapper);
        CommandEnvelope otherReason = CommandEnvelope.parse(envelope("\"application.reject\"", "\"c1\"", "\"acme\"", requestedBy,
                "{\"applicationIds\":[\"a1\",\"a2\"],\"archiveReasonText\":\"Hired elsewhere\",\"archiveEmail\":{\"sendAt\":\"2026-12-05T09:00:00Z\",\"communicationTemplateId\":\"t1\"}}"), mapper);

        assertThat(CommandProcessor.payloadHash(redelivered)).as("same command, keys reordered at every depth")
                .isEqualTo(CommandProcessor.payloadHash(sent));
        assertThat(CommandProcessor.payloadHash(otherOrderOfIds)).as("array order is content").isNotEqualTo(CommandProcessor.payloadHash(sent));
        assertThat(CommandProcessor.payloadHash(otherReason)).isNotEqualTo(CommandProcessor.payloadHash(sent));
    }
}
