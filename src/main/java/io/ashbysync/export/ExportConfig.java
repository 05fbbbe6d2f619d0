package io.ashbysync.export;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Set;

@ConfigMapping(prefix = "ashby-sync.export")
public interface ExportConfig {
    /** Largest resume or attachment taken from Findem. */
    @WithDefault("10485760")
    long maxFileBytes();

    @WithDefault("application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
            + "application/rtf,text/rtf,text/plain,application/vnd.oasis.opendocument.text,image/png,image/jpeg")
    Set<String> allowedContentTypes();

    /** Files come from Findem over HTTPS; local runs and tests also allow http. */
    @WithDefault("https")
    Set<String> allowedUrlSchemes();

    @WithDefault("30s")
    Duration downloadTimeout();
}
