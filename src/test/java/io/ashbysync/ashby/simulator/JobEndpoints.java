package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/** job.* and jobPosting.* endpoints. */
final class JobEndpoints {
    private static final Set<String> JOB_STATUSES = Set.of("Draft", "Open", "Closed", "Archived");

    private JobEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("job.list", "jobsRead", JobEndpoints::list);
        r.add("job.info", "jobsRead", JobEndpoints::info);
        r.add("jobPosting.list", "jobsRead", JobEndpoints::postingList);
        r.add("jobPosting.info", "jobsRead", JobEndpoints::postingInfo);
    }

    private static ObjectNode list(Call c) {
        List<String> statuses = c.strings("status");
        for (String s : statuses) {
            if (!JOB_STATUSES.contains(s)) {
                throw AshbyError.invalidInput("Field 'status' values must be one of " + JOB_STATUSES);
            }
        }
        // Draft jobs are returned only when explicitly requested
        return c.org.syncLog.page(c, "job.list", c.org.jobs,
                j -> statuses.isEmpty() ? !"Draft".equals(j.get("status").asText())
                        : statuses.contains(j.get("status").asText()),
                Json::publicView, true);
    }

    private static ObjectNode info(Call c) {
        ObjectNode job = c.org.jobs.get(c.requiredString("id"));
        if (job == null) {
            throw AshbyError.notFound("job_not_found", "Job");
        }
        ObjectNode view = Json.publicView(job);
        for (String expand : c.strings("expand")) {
            if ("location".equals(expand)) {
                view.set("location", Json.publicView(c.org.locations.get(job.get("locationId").asText())));
            } else if ("openings".equals(expand)) {
                view.set("openings", Json.array());
            }
        }
        return Call.ok(view);
    }

    private static ObjectNode postingList(Call c) {
        String location = c.string("location");
        String department = c.string("department");
        boolean listedOnly = c.bool("listedOnly", false);
        c.string("jobBoardId");
        ArrayNode results = Json.array();
        for (ObjectNode p : c.org.jobPostings.all()) {
            if (!p.path("_published").asBoolean()
                    || (listedOnly && !p.get("isListed").asBoolean())
                    || (location != null && !location.equals(p.get("locationName").asText()))
                    || (department != null && !department.equals(p.get("departmentName").asText()))) {
                continue;
            }
            results.add(Json.publicView(p));
        }
        return Call.ok(results);
    }

    private static ObjectNode postingInfo(Call c) {
        ObjectNode p = c.org.jobPostings.get(c.requiredString("jobPostingId"));
        if (p == null) {
            throw AshbyError.notFound("job_posting_not_found", "Job posting");
        }
        ObjectNode v = Json.publicView(p);
        String plain = "Join us as " + p.get("title").asText() + ". You will build things that matter.";
        v.put("descriptionPlain", plain);
        v.put("descriptionHtml", "<p>" + plain + "</p>");
        v.put("descriptionSocial", plain);
        ObjectNode parts = v.putObject("descriptionParts");
        parts.putNull("descriptionOpening");
        parts.set("descriptionBody", Json.object().put("html", "<p>" + plain + "</p>").put("plain", plain));
        parts.putNull("descriptionClosing");
        ObjectNode linked = v.putObject("linkedData");
        linked.put("@context", "https://schema.org/");
        linked.put("@type", "JobPosting");
        linked.put("title", p.get("title").asText());
        linked.put("description", plain);
        linked.put("datePosted", p.get("publishedDate").asText());
        linked.put("employmentType", "FULL_TIME");
        ObjectNode form = v.putObject("applicationFormDefinition");
        ArrayNode sections = form.putArray("sections");
        ObjectNode section = sections.addObject();
        ArrayNode fields = section.putArray("fields");
        fields.addObject().put("isRequired", true).set("field", Json.object().put("id", Ids.uuid())
                .put("type", "String").put("path", "_systemfield_name").put("title", "Name")
                .put("humanReadablePath", "Name").put("isNullable", false));
        v.set("surveyFormDefinitions", Json.array());
        ObjectNode compensation = v.putObject("compensation");
        compensation.set("compensationTiers", Json.array());
        compensation.put("shouldDisplayCompensationOnJobBoard", false);
        if (c.strings("expand").contains("job")) {
            JsonNode job = c.org.jobs.get(p.get("jobId").asText());
            v.set("job", Json.publicView((ObjectNode) job));
        }
        return Call.ok(v);
    }
}
