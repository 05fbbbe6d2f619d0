package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** interviewPlan.list and interviewStage.list. */
final class InterviewEndpoints {
    private InterviewEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("interviewPlan.list", "interviewsRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            return c.org.syncLog.page(c, "interviewPlan.list", c.org.interviewPlans,
                    p -> includeArchived || !p.get("isArchived").asBoolean(), Json::publicView, true);
        });
        r.add("interviewStage.list", "interviewsRead", c -> {
            String planId = c.requiredString("interviewPlanId");
            if (c.org.interviewPlans.get(planId) == null) {
                throw AshbyError.notFound("interview_plan_not_found", "Interview plan");
            }
            ObjectNode response = Call.ok(Json.array(c.org.stagesOfPlan(planId).stream()
                    .map(Json::publicView).toList()));
            response.put("moreDataAvailable", false);
            return response;
        });
    }
}
