package io.ashbysync.ashby;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Ashby's RPC transport: every endpoint is {@code POST /<category>.<method>} with a JSON body. The raw response is
 * returned so that {@link AshbyResponseDecoder} sees every status and body, including HTML error pages.
 */
@RegisterRestClient(configKey = "ashby")
@Path("/")
public interface AshbyApi {
    @POST
    @Path("{endpoint}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response call(@PathParam("endpoint") String endpoint,
                  @HeaderParam("Authorization") String authorization,
                  @HeaderParam("Ashby-Version") String apiVersion,
                  @HeaderParam("X-On-Behalf-Of") String onBehalfOfUserId,
                  String jsonBody);
}
