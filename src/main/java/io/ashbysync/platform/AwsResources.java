package io.ashbysync.platform;

import io.smallrye.config.ConfigMapping;

/** Physical names of the stack's tables, queues and parameter prefix, passed in by template.yaml. */
@ConfigMapping(prefix = "ashby-sync.aws")
public interface AwsResources {
    String tenantsTable();

    String identityTable();

    String idempotencyTable();

    String mirrorTable();

    String commandsQueueUrl();

    String workQueueUrl();

    String eventsQueueUrl();

    /** SSM parameter path prefix under which each tenant's secrets live, without a trailing slash. */
    String ssmPrefix();
}
