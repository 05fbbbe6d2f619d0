package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A webhook as {@code webhook.create}/{@code webhook.update} return it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WebhookSetting(@JsonProperty(required = true) String id, boolean enabled, String requestUrl,
                             String secretToken, String webhookType) {
    @Override
    public String toString() {
        return "WebhookSetting[id=" + id + ", enabled=" + enabled + ", webhookType=" + webhookType + "]";
    }
}
