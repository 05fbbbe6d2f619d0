package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Fills an organization with a realistic, deterministic (per seed) data set: users, departments, locations,
 * interview plans with every stage type, archive reasons of each type, sources, tags, custom fields, templates
 * (email, non-email, archived), jobs (some confidential) with hiring teams and postings, and candidates with
 * emails, phones, LinkedIn links, applications across stages with history, notes, resumes and custom field values.
 */
public final class SeededTenantGenerator {
    private static final String[] FIRST = {"Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis",
        "Frances", "John", "Radia", "Tim", "Hedy", "Edsger", "Katherine", "Guido", "Anita", "Bjarne", "Sophie",
        "Donald", "Joan", "James", "Mary", "Niklaus", "Leslie", "Shafi", "Whitfield", "Lynn", "Vint", "Annie"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson",
        "Liskov", "Ritchie", "Allen", "Backus", "Perlman", "Berners-Lee", "Lamarr", "Dijkstra", "Johnson", "Rossum",
        "Borg", "Stroustrup", "Wilson", "Knuth", "Clarke", "Gosling", "Keller", "Wirth", "Lamport", "Goldwasser",
        "Diffie", "Conway", "Cerf", "Easley"};
    private static final String[] JOB_TITLES = {"Backend Engineer", "Frontend Engineer", "Data Scientist",
        "Product Manager", "Account Executive", "Designer", "Recruiter", "SRE", "Security Engineer",
        "Engineering Manager", "Marketing Manager", "Financial Analyst"};
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    private final long seed;
    private int candidates = 200;
    private int jobs = 12;
    private int users = 20;

    /** What tests usually need to find in the generated data. */
    public record SeededTenant(List<String> userIds, List<String> jobIds, List<String> interviewPlanIds,
                               List<String> candidateIds, List<String> applicationIds, List<String> archiveReasonIds,
                               String emailTemplateId, String nonEmailTemplateId, String archivedTemplateId,
                               List<String> sourceIds, List<String> tagIds, List<String> projectIds) {}

    private SeededTenantGenerator(long seed) {
        this.seed = seed;
    }

    public static SeededTenantGenerator seed(long seed) {
        return new SeededTenantGenerator(seed);
    }

    public SeededTenantGenerator candidates(int count) {
        this.candidates = count;
        return this;
    }

    public SeededTenantGenerator jobs(int count) {
        this.jobs = count;
        return this;
    }

    public SeededTenantGenerator users(int count) {
        this.users = count;
        return this;
    }

    public SeededTenant generate(SimulatedOrganization org) {
        synchronized (org) {
            return new Run(org, new Random(seed)).run();
        }
    }

    private final class Run {
        final SimulatedOrganization org;
        final Random rnd;
        final List<String> userIds = new ArrayList<>();
        final List<String> deptIds = new ArrayList<>();
        final List<String> locIds = new ArrayList<>();
        final List<String> planIds = new ArrayList<>();
        final List<String> reasonIds = new ArrayList<>();
        final List<String> sourceIds = new ArrayList<>();
        final List<String> tagIds = new ArrayList<>();
        final List<String> jobIds = new ArrayList<>();
        final List<String> candidateIds = new ArrayList<>();
        final List<String> applicationIds = new ArrayList<>();
        final List<String> projectIds = new ArrayList<>();
        final List<String> roleTitles = List.of("Hiring Manager", "Recruiter", "Coordinator", "Sourcer");
        final List<ObjectNode> candidateFields = new ArrayList<>();
        final List<ObjectNode> applicationFields = new ArrayList<>();

        Run(SimulatedOrganization org, Random rnd) {
            this.org = org;
            this.rnd = rnd;
        }

        String id() {
            return Ids.uuid(rnd);
        }

        Instant at(int maxDays) {
            return EPOCH.plus(Duration.ofSeconds(rnd.nextInt(maxDays * 86_400)))
                    .plusMillis(rnd.nextInt(1000));
        }

        SeededTenant run() {
            for (int i = 0; i < users; i++) {
                String first = FIRST[i % FIRST.length];
                String last = LAST[(i * 7) % LAST.length];
                ObjectNode u = org.user(id(), first, last, (first + "." + last + i + "@acme.test").toLowerCase(),
                        i == 0 ? "Organization Admin" : i % 5 == 0 ? "Elevated Access" : "Limited Access");
                u.put("updatedAt", Json.iso(at(30)));
                if (i > 0) {
                    u.put("managerId", userIds.get(0));
                }
                org.users.put(u);
                userIds.add(u.get("id").asText());
            }
            for (String title : roleTitles) {
                org.hiringTeamRoles.put(OrganizationEndpoints.role(id(), title));
            }
            String parent = null;
            for (String name : new String[] {"Company", "Engineering", "Product", "Sales", "Marketing", "People"}) {
                ObjectNode d = Json.object().put("id", id()).put("name", name).put("externalName", name)
                        .put("isArchived", false);
                if (parent != null) {
                    d.put("parentId", parent);
                }
                d.put("createdAt", Json.iso(at(10))).put("updatedAt", Json.iso(at(20)));
                org.departments.put(d);
                deptIds.add(d.get("id").asText());
                parent = parent == null ? d.get("id").asText() : parent;
            }
            String[][] places = {{"San Francisco", "CA", "US", "OnSite"}, {"New York", "NY", "US", "Hybrid"},
                {"London", "England", "GB", "Hybrid"}, {"Warsaw", "Mazowieckie", "PL", "OnSite"},
                {"Remote", "", "US", "Remote"}};
            for (String[] p : places) {
                ObjectNode l = Json.object().put("id", id()).put("name", p[0]).put("externalName", p[0])
                        .put("isArchived", false).put("isRemote", "Remote".equals(p[3])).put("workplaceType", p[3])
                        .put("type", "Location");
                ObjectNode postal = l.putObject("address").putObject("postalAddress");
                postal.put("addressCountry", p[2]).put("addressRegion", p[1]).put("addressLocality", p[0]);
                org.locations.put(l);
                locIds.add(l.get("id").asText());
            }
            String[][] stageDefs = {{"New Lead", "Lead"}, {"Recruiter Screen", "PreInterviewScreen"},
                {"Technical Interview", "Active"}, {"Onsite", "Active"}, {"Offer", "Offer"}, {"Hired", "Hired"},
                {"Archived", "Archived"}};
            for (int p = 0; p < 4; p++) {
                ObjectNode plan = Json.object().put("id", id()).put("title", "Interview Plan " + (p + 1))
                        .put("isArchived", p == 3).put("createdAt", Json.iso(at(5)))
                        .put("updatedAt", Json.iso(at(15)));
                org.interviewPlans.put(plan);
                planIds.add(plan.get("id").asText());
                for (int s = 0; s < stageDefs.length; s++) {
                    org.interviewStages.put(Json.object().put("id", id()).put("title", stageDefs[s][0])
                            .put("type", stageDefs[s][1]).put("orderInInterviewPlan", s)
                            .put("interviewStageGroupId", id()).put("interviewPlanId", plan.get("id").asText()));
                }
            }
            String[][] reasons = {{"Not a fit", "RejectedByOrg"}, {"Position filled", "RejectedByOrg"},
                {"Accepted another offer", "RejectedByCandidate"}, {"Compensation", "RejectedByCandidate"},
                {"Duplicate", "Other"}, {"Legacy reason", "Other"}};
            for (int i = 0; i < reasons.length; i++) {
                ObjectNode r = Json.object().put("id", id()).put("text", reasons[i][0])
                        .put("reasonType", reasons[i][1]).put("isArchived", i == reasons.length - 1);
                org.archiveReasons.put(r);
                reasonIds.add(r.get("id").asText());
            }
            String[][] sources = {{"Applied", "Inbound"}, {"LinkedIn", "Sourced"}, {"Referral", "Referral"},
                {"Agency", "Agency"}, {"Old Job Board", "Inbound"}};
            for (int i = 0; i < sources.length; i++) {
                ObjectNode s = Json.object().put("id", id()).put("title", sources[i][0])
                        .put("isArchived", i == sources.length - 1);
                s.set("sourceType", Json.object().put("id", id()).put("title", sources[i][1])
                        .put("isArchived", false));
                org.sources.put(s);
                sourceIds.add(s.get("id").asText());
            }
            for (String t : new String[] {"Senior", "Java", "Python", "Do not contact", "Silver medalist",
                "Diversity pipeline", "Archived tag"}) {
                ObjectNode tag = Json.object().put("id", id()).put("title", t)
                        .put("isArchived", "Archived tag".equals(t));
                org.tags.put(tag);
                tagIds.add(tag.get("id").asText());
            }
            customFields();
            String emailTemplate = template("Rejection - standard", false, "email");
            template("Rejection - after onsite", false, "email");
            String nonEmail = template("LinkedIn outreach", false, "inMail", "linkedInConnection");
            String archivedTemplate = template("Rejection - old wording", true, "email");
            for (int i = 0; i < 3; i++) {
                ObjectNode p = Json.object().put("id", id()).put("title", "Talent pool " + (i + 1))
                        .put("description", "Prospects for later").put("isArchived", false)
                        .put("confidential", i == 2).put("authorId", userIds.get(0))
                        .put("createdAt", Json.iso(at(30)));
                p.set("customFieldEntries", Json.array());
                org.projects.put(p);
                projectIds.add(p.get("id").asText());
            }
            for (int j = 0; j < jobs; j++) {
                job(j);
            }
            for (int c = 0; c < candidates; c++) {
                candidate(c);
            }
            return new SeededTenant(List.copyOf(userIds), List.copyOf(jobIds), List.copyOf(planIds),
                    List.copyOf(candidateIds), List.copyOf(applicationIds), List.copyOf(reasonIds), emailTemplate,
                    nonEmail, archivedTemplate, List.copyOf(sourceIds), List.copyOf(tagIds),
                    List.copyOf(projectIds));
        }

        void customFields() {
            Object[][] defs = {{"Candidate", "String", "Preferred name", false}, {"Candidate", "Boolean",
                "Open to relocation", false}, {"Candidate", "Number", "Years of experience", false},
                {"Candidate", "ValueSelect", "Seniority", false}, {"Candidate", "MultiValueSelect", "Skills", false},
                {"Candidate", "Date", "Available from", false}, {"Candidate", "String", "Salary notes", true},
                {"Application", "Number", "Expected salary", true}, {"Application", "ValueSelect",
                "Referral strength", false}, {"Application", "LongText", "Screening summary", false}};
            for (Object[] d : defs) {
                ObjectNode f = Json.object().put("id", id()).put("isPrivate", (Boolean) d[3])
                        .put("title", (String) d[2]).put("objectType", (String) d[0]).put("isArchived", false)
                        .put("fieldType", (String) d[1]).put("isRequired", false);
                if (d[1].equals("ValueSelect") || d[1].equals("MultiValueSelect")) {
                    ArrayNode values = f.putArray("selectableValues");
                    String[] options = d[2].equals("Skills") ? new String[] {"Java", "Go", "SQL", "React"}
                            : new String[] {"Junior", "Mid", "Senior", "Staff"};
                    for (String o : options) {
                        values.addObject().put("label", o).put("value", o.toLowerCase()).put("isArchived", false);
                    }
                }
                org.customFields.put(f);
                ("Candidate".equals(d[0]) ? candidateFields : applicationFields).add(f);
            }
        }

        String template(String title, boolean archived, String... types) {
            ObjectNode t = Json.object().put("id", id()).put("title", title);
            t.put("createdAt", Json.iso(at(20))).put("updatedAt", Json.iso(at(40)));
            ArrayNode intended = t.putArray("intendedTypes");
            for (String type : types) {
                intended.add(type);
            }
            t.put("_isArchived", archived);
            org.templates.put(t);
            return t.get("id").asText();
        }

        void job(int j) {
            String id = id();
            String title = JOB_TITLES[j % JOB_TITLES.length] + (j >= JOB_TITLES.length ? " " + (j / JOB_TITLES
                    .length + 1) : "");
            String status = j % 10 == 7 ? "Closed" : j % 10 == 8 ? "Draft" : j % 10 == 9 ? "Archived" : "Open";
            String plan = planIds.get(j % 3);
            String location = locIds.get(j % locIds.size());
            String department = deptIds.get(1 + j % (deptIds.size() - 1));
            ObjectNode job = Json.object().put("id", id).put("title", title).put("confidential", j % 8 == 5)
                    .put("status", status).put("employmentType", j % 6 == 4 ? "Contract" : "FullTime")
                    .put("locationId", location).put("departmentId", department).put("defaultInterviewPlanId", plan);
            job.set("interviewPlanIds", Json.array().add(plan));
            job.set("customFields", Json.array());
            job.putNull("customRequisitionId");
            job.putNull("brandId");
            ArrayNode team = job.putArray("hiringTeam");
            team.add(org.hiringTeamMember(userIds.get(1 + j % (userIds.size() - 1)), "Hiring Manager"));
            team.add(org.hiringTeamMember(userIds.get(1 + (j + 3) % (userIds.size() - 1)), "Recruiter"));
            job.set("author", org.userView(userIds.get(0)));
            Instant created = at(60);
            job.put("createdAt", Json.iso(created)).put("updatedAt", Json.iso(created.plus(Duration.ofDays(2))));
            if (!"Draft".equals(status)) {
                job.put("openedAt", Json.iso(created.plus(Duration.ofDays(1))));
            }
            if ("Closed".equals(status) || "Archived".equals(status)) {
                job.put("closedAt", Json.iso(created.plus(Duration.ofDays(90))));
            }
            ArrayNode postingIds = job.putArray("jobPostingIds");
            if ("Open".equals(status)) {
                String postingId = id();
                postingIds.add(postingId);
                ObjectNode posting = Json.object().put("id", postingId).put("title", title).put("jobId", id)
                        .put("departmentName", org.departments.get(department).get("name").asText())
                        .put("teamName", org.departments.get(department).get("name").asText())
                        .put("locationName", org.locations.get(location).get("name").asText())
                        .put("locationExternalName", org.locations.get(location).get("name").asText());
                posting.set("locationIds", Json.object().put("primaryLocationId", location)
                        .set("secondaryLocationIds", Json.array()));
                posting.put("workplaceType", org.locations.get(location).get("workplaceType").asText())
                        .put("employmentType", job.get("employmentType").asText())
                        .put("isListed", j % 4 != 3)
                        .put("publishedDate", LocalDate.ofInstant(created.plus(Duration.ofDays(1)), ZoneOffset.UTC)
                                .toString())
                        .put("externalLink", "https://jobs.ashbyhq.com/acme/" + postingId)
                        .put("applyLink", "https://jobs.ashbyhq.com/acme/" + postingId + "/application")
                        .put("shouldDisplayCompensationOnJobBoard", false)
                        .put("updatedAt", Json.iso(created.plus(Duration.ofDays(1))))
                        .put("_published", true);
                org.jobPostings.put(posting);
            }
            org.jobs.put(job);
            jobIds.add(id);
        }

        void candidate(int c) {
            String id = id();
            String first = FIRST[rnd.nextInt(FIRST.length)];
            String last = LAST[rnd.nextInt(LAST.length)];
            Instant created = at(700);
            ObjectNode cand = CandidateEndpoints.newCandidate(org, id, first + " " + last, created);
            if (rnd.nextInt(20) != 0) {
                CandidateEndpoints.addEmail(cand, (first + "." + last + "." + c + "@example.com").toLowerCase()
                        .replace("-", ""), "Personal");
                if (rnd.nextInt(5) == 0) {
                    CandidateEndpoints.addEmail(cand, (first.charAt(0) + last + c + "@work.example").toLowerCase(),
                            "Work");
                }
            }
            if (rnd.nextInt(3) != 0) {
                CandidateEndpoints.setPrimaryPhone(cand, String.format("+1415555%04d", c % 10_000));
            }
            if (rnd.nextInt(10) < 7) {
                CandidateEndpoints.setSocialLink(cand, "LinkedIn", "https://www.linkedin.com/in/"
                        + (first + "-" + last + "-" + c).toLowerCase());
            }
            if (rnd.nextInt(10) == 0) {
                CandidateEndpoints.setSocialLink(cand, "GitHub", "https://github.com/" + (first + last + c)
                        .toLowerCase());
            }
            int tagCount = rnd.nextInt(3);
            for (int t = 0; t < tagCount; t++) {
                ObjectNode tag = org.tags.get(tagIds.get(rnd.nextInt(tagIds.size() - 1)));
                ArrayNode tags = (ArrayNode) cand.get("tags");
                if (!tags.toString().contains(tag.get("id").asText())) {
                    tags.add(Json.publicView(tag));
                }
            }
            ObjectNode source = org.sources.get(sourceIds.get(rnd.nextInt(sourceIds.size() - 1)));
            cand.set("source", Json.publicView(source));
            if (rnd.nextInt(4) == 0) {
                cand.set("creditedToUser", org.userView(userIds.get(rnd.nextInt(userIds.size()))));
            }
            cand.put("position", JOB_TITLES[rnd.nextInt(JOB_TITLES.length)]);
            cand.put("company", LAST[rnd.nextInt(LAST.length)] + " Inc.");
            ArrayNode values = (ArrayNode) cand.get("customFields");
            values.add(HiringMetadataEndpoints.customFieldValue(candidateFields.get(2),
                    Json.MAPPER.getNodeFactory().numberNode(rnd.nextInt(25))));
            values.add(HiringMetadataEndpoints.customFieldValue(candidateFields.get(3),
                    Json.MAPPER.getNodeFactory().textNode(new String[] {"junior", "mid", "senior", "staff"}[rnd
                            .nextInt(4)])));
            if (rnd.nextInt(10) == 0) {
                resume(cand, c);
            }
            cand.put("updatedAt", Json.iso(created.plus(Duration.ofHours(rnd.nextInt(500)))));
            org.candidates.put(cand);
            candidateIds.add(id);
            int apps = rnd.nextInt(10) < 2 ? 0 : 1 + (rnd.nextInt(10) == 0 ? 1 : 0);
            for (int a = 0; a < apps; a++) {
                application(cand, created);
            }
            int notes = rnd.nextInt(3);
            for (int n = 0; n < notes; n++) {
                boolean html = rnd.nextBoolean();
                ObjectNode note = CandidateEndpoints.newNote(org, id, html
                                ? "<p>Strong <b>" + cand.get("position").asText() + "</b> background</p>"
                                : "Phone screen went well.", rnd.nextInt(5) == 0,
                        created.plus(Duration.ofDays(1 + n)), userIds.get(rnd.nextInt(userIds.size())));
                note.put("id", id());
                org.notes.put(note);
            }
        }

        void resume(ObjectNode cand, int c) {
            String fileId = id();
            ObjectNode h = Json.object();
            h.set("handle", Json.object().put("type", "ResumeFile").put("fileId", fileId)
                    .put("ownerId", cand.get("id").asText()));
            h.put("signature", Base64.getEncoder().encodeToString(fileId.getBytes(StandardCharsets.UTF_8)));
            h.put("version", "1");
            String handle = Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(h)
                    .getBytes(StandardCharsets.UTF_8));
            String name = cand.get("name").asText().replace(' ', '_') + "_resume.pdf";
            org.filesByHandle.put(handle, new SimulatedOrganization.StoredFile(fileId, handle, name,
                    "application/pdf", ("%PDF-1.4\n% resume of candidate " + c + "\n").getBytes(
                            StandardCharsets.UTF_8)));
            ObjectNode fh = Json.object().put("id", fileId).put("name", name).put("handle", handle);
            cand.set("resumeFileHandle", fh);
            ((ArrayNode) cand.get("fileHandles")).add(fh.deepCopy());
        }

        void application(ObjectNode cand, Instant candidateCreated) {
            ObjectNode job = org.jobs.get(jobIds.get(rnd.nextInt(jobIds.size())));
            String plan = job.get("defaultInterviewPlanId").asText();
            List<ObjectNode> stages = org.stagesOfPlan(plan);
            int target = rnd.nextInt(10) < 3 ? stages.size() - 1 : rnd.nextInt(stages.size() - 1);
            ObjectNode app = Json.object();
            String appId = id();
            Instant created = candidateCreated.plus(Duration.ofHours(1 + rnd.nextInt(48)));
            app.put("id", appId).put("createdAt", Json.iso(created));
            app.set("customFields", Json.array());
            if (rnd.nextBoolean()) {
                ((ArrayNode) app.get("customFields")).add(HiringMetadataEndpoints.customFieldValue(
                        applicationFields.get(0), Json.MAPPER.getNodeFactory().numberNode(80_000 + rnd.nextInt(
                                120) * 1000)));
            }
            app.put("_candidateId", cand.get("id").asText()).put("_jobId", job.get("id").asText())
                    .put("_planId", plan).put("_sourceId", cand.get("source").get("id").asText());
            app.putNull("appliedViaJobPostingId");
            ArrayNode history = app.putArray("_history");
            Instant t = created;
            String actor = userIds.get(rnd.nextInt(userIds.size()));
            int last = target == stages.size() - 1 ? rnd.nextInt(stages.size() - 2) : target;
            for (int s = 0; s <= last; s++) {
                ObjectNode entry = org.newHistoryEntry(stages.get(s), t, actor);
                entry.put("id", id());
                history.add(entry);
                t = t.plus(Duration.ofDays(1 + rnd.nextInt(6)));
                if (s < last || target != last) {
                    entry.put("leftStageAt", Json.iso(t));
                }
            }
            ObjectNode stage = stages.get(target);
            if (target != last) {
                ObjectNode entry = org.newHistoryEntry(stage, t, actor);
                entry.put("id", id());
                history.add(entry);
                app.put("_archiveReasonId", reasonIds.get(rnd.nextInt(reasonIds.size() - 1)));
                app.put("archivedAt", Json.iso(t));
            } else {
                app.putNull("archivedAt");
            }
            app.put("_stageId", stage.get("id").asText());
            app.put("status", SimulatedOrganization.statusForStageType(stage.get("type").asText()));
            app.put("updatedAt", Json.iso(t));
            org.applications.put(app);
            ((ArrayNode) cand.get("applicationIds")).add(appId);
            applicationIds.add(appId);
        }
    }
}
