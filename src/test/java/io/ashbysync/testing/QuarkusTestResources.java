package io.ashbysync.testing;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * The resources every Quarkus test runs against, declared once so that all test classes of a profile share one
 * application start: local AWS (moto + ElasticMQ, created from template.yaml) and the Ashby simulator.
 */
@QuarkusTestResource(LocalAwsResource.class)
@QuarkusTestResource(AshbySimulatorResource.class)
public final class QuarkusTestResources {
    private QuarkusTestResources() {}
}
