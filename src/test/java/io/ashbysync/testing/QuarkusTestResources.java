package io.ashbysync.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * The resources every Quarkus test runs against, declared once (global scope) so that all test classes of a profile
 * share one application start: local AWS (moto + ElasticMQ, created from template.yaml) and the Ashby simulator.
 */
@WithTestResource(value = LocalAwsResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = AshbySimulatorResource.class, scope = TestResourceScope.GLOBAL)
public final class QuarkusTestResources {
    private QuarkusTestResources() {}
}
