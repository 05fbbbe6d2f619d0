package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;

/** candidate.* endpoints. */
final class CandidateEndpoints {
    private CandidateEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("candidate.create", "candidatesWrite", CandidateEndpoints::create);
        r.add("candidate.update", "candidatesWrite", CandidateEndpoints::update);
        r.add("candidate.info", "candidatesRead", c -> Call.ok(view(existing(c, candidateIdForInfo(c)))));
        r.add("candidate.list", "candidatesRead", c -> c.org.syncLog.page(c, "candidate.list", c.org.candidates,
                createdAfter(c), Json::publicView, true));
        r.add("candidate.search", "candidatesRead", CandidateEndpoints::search);
        r.add("candidate.addTag", "candidatesWrite", CandidateEndpoints::addTag);
        r.add("candidate.createNote", "candidatesWrite", CandidateEndpoints::createNote);
        r.add("candidate.listNotes", "candidatesRead", CandidateEndpoints::listNotes);
        r.add("candidate.uploadResume", "candidatesWrite", c -> attach(c, "resumeHandle", true));
        r.add("candidate.uploadFile", "candidatesWrite", c -> attach(c, "fileHandle", false));
        r.add("candidate.addProject", "candidatesWrite", CandidateEndpoints::addProject);
    }

    static ObjectNode view(ObjectNode stored) {
        return Json.publicView(stored);
    }

    static java.util.function.Predicate<ObjectNode> createdAfter(Call c) {
        JsonNode after = c.body.get("createdAfter");
        if (after == null || after.isNull()) {
            return x -> true;
        }
        long ms = after.isNumber() ? after.asLong() : Long.parseLong(after.asText());
        return x -> Instant.parse(x.get("createdAt").asText()).toEpochMilli() > ms;
    }

    private static String candidateIdForInfo(Call c) {
        String id = c.string("id");
        if (id == null && c.string("externalMappingId") == null) {
            throw AshbyError.invalidInput("Missing required field 'id' (or 'externalMappingId')");
        }
        return id;
    }

    static ObjectNode existing(Call c, String candidateId) {
        ObjectNode cand = c.org.candidates.get(candidateId);
        if (cand == null) {
            throw AshbyError.notFound("candidate_not_found", "Candidate");
        }
        return cand;
    }

    static ObjectNode contact(String value, String type, boolean primary) {
        return Json.object().put("value", value).put("type", type).put("isPrimary", primary);
    }

    static ObjectNode socialLink(String type, String url) {
        return Json.object().put("type", type).put("url", url);
    }

    /** A candidate as Ashby stores it; used by candidate.create and the generator. */
    static ObjectNode newCandidate(SimulatedOrganization org, String id, String name, Instant createdAt) {
        ObjectNode cand = Json.object();
        cand.put("id", id);
        cand.put("createdAt", Json.iso(createdAt));
        cand.put("updatedAt", Json.iso(createdAt));
        cand.put("name", name);
        cand.set("emailAddresses", Json.array());
        cand.set("phoneNumbers", Json.array());
        cand.set("socialLinks", Json.array());
        cand.set("tags", Json.array());
        cand.set("applicationIds", Json.array());
        cand.set("fileHandles", Json.array());
        cand.set("customFields", Json.array());
        cand.put("profileUrl", "https://app.ashbyhq.com/candidate-searches/new/right-side/candidates/" + id);
        cand.putNull("source");
        // creditedToUser and timezone are absent when unset: real responses show null, but the published schema
        // types them as object/string, and the contract test holds the simulator to the schema
        cand.putNull("fraudStatus");
        return cand;
    }

    static void addEmail(ObjectNode cand, String email, String type) {
        ArrayNode emails = (ArrayNode) cand.get("emailAddresses");
        for (JsonNode e : emails) {
            if (e.get("value").asText().equalsIgnoreCase(email)) {
                return;
            }
        }
        boolean primary = emails.isEmpty();
        ObjectNode contact = contact(email, type, primary);
        emails.add(contact);
        if (primary) {
            cand.set("primaryEmailAddress", contact.deepCopy());
        }
    }

    static void setPrimaryEmail(ObjectNode cand, String email) {
        ArrayNode emails = (ArrayNode) cand.get("emailAddresses");
        for (JsonNode e : emails) {
            ((ObjectNode) e).put("isPrimary", false);
        }
        ObjectNode found = null;
        for (JsonNode e : emails) {
            if (e.get("value").asText().equalsIgnoreCase(email)) {
                found = (ObjectNode) e;
            }
        }
        if (found == null) {
            found = contact(email, "Personal", true);
            emails.insert(0, found);
        }
        found.put("isPrimary", true);
        cand.set("primaryEmailAddress", found.deepCopy());
    }

    static void setPrimaryPhone(ObjectNode cand, String phone) {
        ArrayNode phones = (ArrayNode) cand.get("phoneNumbers");
        for (JsonNode p : phones) {
            ((ObjectNode) p).put("isPrimary", false);
        }
        ObjectNode contact = contact(phone, "Personal", true);
        phones.insert(0, contact);
        cand.set("primaryPhoneNumber", contact.deepCopy());
    }

    static void setSocialLink(ObjectNode cand, String type, String url) {
        ArrayNode links = (ArrayNode) cand.get("socialLinks");
        for (int i = links.size() - 1; i >= 0; i--) {
            if (type.equals(links.get(i).get("type").asText())) {
                links.remove(i);
            }
        }
        links.add(socialLink(type, url));
    }

    private static void applyCommon(Call c, ObjectNode cand) {
        String sourceId = c.string("sourceId");
        if (sourceId != null) {
            ObjectNode source = c.org.sources.get(sourceId);
            if (source == null) {
                throw AshbyError.invalidInput("Unknown sourceId '" + sourceId + "'");
            }
            cand.set("source", Json.publicView(source));
        }
        String credited = c.string("creditedToUserId");
        if (credited != null) {
            ObjectNode user = c.org.userView(credited);
            if (user == null) {
                throw AshbyError.invalidInput("Unknown creditedToUserId '" + credited + "'");
            }
            cand.set("creditedToUser", user);
        }
        ObjectNode location = c.objectField("location");
        if (location != null) {
            ObjectNode loc = Json.object();
            loc.put("id", Ids.uuid());
            ArrayNode components = loc.putArray("locationComponents");
            StringBuilder summary = new StringBuilder();
            for (String[] part : new String[][] {{"city", "City"}, {"region", "Region"}, {"country", "Country"}}) {
                JsonNode v = location.get(part[0]);
                if (v != null && v.isTextual()) {
                    components.add(Json.object().put("type", part[1]).put("name", v.asText()));
                    summary.append(summary.isEmpty() ? "" : ", ").append(v.asText());
                }
            }
            loc.put("locationSummary", summary.toString());
            cand.set("location", loc);
        }
    }

    private static ObjectNode create(Call c) {
        String name = c.requiredString("name");
        if (name.isBlank()) {
            throw AshbyError.invalidInput("Field 'name' must not be empty");
        }
        Instant createdAt = c.has("createdAt") ? c.instant("createdAt") : c.now();
        ObjectNode cand = newCandidate(c.org, Ids.uuid(), name, createdAt);
        cand.put("updatedAt", Json.iso(c.now()));
        String email = c.string("email");
        if (email != null) {
            addEmail(cand, email, "Personal");
        }
        for (String alt : c.strings("alternateEmailAddresses")) {
            addEmail(cand, alt, "Other");
        }
        String phone = c.string("phoneNumber");
        if (phone != null) {
            setPrimaryPhone(cand, phone);
        }
        link(c, cand, "linkedInUrl", "LinkedIn");
        link(c, cand, "githubUrl", "GitHub");
        link(c, cand, "website", "Website");
        applyCommon(c, cand);
        c.org.candidates.put(cand);
        return Call.ok(view(cand));
    }

    private static void link(Call c, ObjectNode cand, String field, String type) {
        String url = c.string(field);
        if (url != null) {
            setSocialLink(cand, type, url);
        }
    }

    private static ObjectNode update(Call c) {
        ObjectNode cand = existing(c, c.requiredString("candidateId"));
        // validate everything on a copy so a bad field leaves the candidate unchanged
        ObjectNode next = cand.deepCopy();
        String name = c.string("name");
        if (name != null) {
            next.put("name", name);
        }
        String email = c.string("email");
        if (email != null) {
            setPrimaryEmail(next, email);
        }
        String alt = c.string("alternateEmail");
        if (alt != null) {
            addEmail(next, alt, "Other");
        }
        String phone = c.string("phoneNumber");
        if (phone != null) {
            setPrimaryPhone(next, phone);
        }
        if (c.has("socialLinks")) {
            JsonNode links = c.body.get("socialLinks");
            if (!links.isArray()) {
                throw AshbyError.invalidInput("Expected array for field 'socialLinks'");
            }
            ArrayNode replaced = Json.array();
            for (JsonNode l : links) {
                if (!l.path("type").isTextual() || !l.path("url").isTextual()) {
                    throw AshbyError.invalidInput("Field 'socialLinks' entries need 'type' and 'url'");
                }
                replaced.add(socialLink(l.get("type").asText(), l.get("url").asText()));
            }
            next.set("socialLinks", replaced);
        } else {
            link(c, next, "linkedInUrl", "LinkedIn");
            link(c, next, "githubUrl", "GitHub");
            link(c, next, "websiteUrl", "Website");
        }
        if (c.has("createdAt")) {
            next.put("createdAt", Json.iso(c.instant("createdAt")));
        }
        c.bool("sendNotifications", true);
        applyCommon(c, next);
        next.put("updatedAt", Json.iso(c.now()));
        cand.removeAll();
        cand.setAll(next);
        c.org.candidates.touch(cand.get("id").asText());
        ObjectNode view = view(cand);
        return Call.ok(view);
    }

    private static ObjectNode search(Call c) {
        String email = c.string("email");
        String name = c.string("name");
        if (email == null && name == null) {
            throw AshbyError.invalidInput("Provide 'email' and/or 'name'");
        }
        ArrayNode results = Json.array();
        for (ObjectNode cand : c.org.candidates.all()) {
            boolean emailOk = email == null;
            if (email != null) {
                for (JsonNode e : cand.get("emailAddresses")) {
                    emailOk |= e.get("value").asText().equalsIgnoreCase(email.trim());
                }
            }
            boolean nameOk = name == null || cand.get("name").asText().toLowerCase(Locale.ROOT)
                    .contains(name.trim().toLowerCase(Locale.ROOT));
            if (emailOk && nameOk) {
                results.add(view(cand));
                if (results.size() == 100) {
                    break;
                }
            }
        }
        return Call.ok(results);
    }

    private static ObjectNode addTag(Call c) {
        ObjectNode cand = existing(c, c.requiredString("candidateId"));
        String tagId = c.requiredString("tagId");
        ObjectNode tag = c.org.tags.get(tagId);
        if (tag == null) {
            throw AshbyError.notFound("tag_not_found", "Tag");
        }
        ArrayNode tags = (ArrayNode) cand.get("tags");
        boolean present = false;
        for (JsonNode t : tags) {
            present |= tagId.equals(t.get("id").asText());
        }
        if (!present) {
            tags.add(Json.publicView(tag));
            cand.put("updatedAt", Json.iso(c.now()));
            c.org.candidates.touch(cand.get("id").asText());
        }
        return Call.ok(view(cand));
    }

    private static ObjectNode createNote(Call c) {
        ObjectNode cand = existing(c, c.requiredString("candidateId"));
        JsonNode note = c.body.get("note");
        String content;
        if (note == null || note.isNull()) {
            throw AshbyError.invalidInput("Missing required field 'note'");
        } else if (note.isTextual()) {
            content = note.asText();
        } else if (note.isObject() && note.path("value").isTextual()) {
            String type = note.path("type").asText("text/plain");
            if (!type.equals("text/plain") && !type.equals("text/html")) {
                throw AshbyError.invalidInput("Field 'note.type' must be text/plain or text/html");
            }
            content = type.equals("text/html") ? sanitizeHtml(note.get("value").asText()) : note.get("value").asText();
        } else {
            throw AshbyError.invalidInput("Field 'note' must be a string or {type, value}");
        }
        boolean isPrivate = c.bool("isPrivate", false);
        c.bool("sendNotifications", false);
        if (isPrivate && !c.org.allowsPrivateFields()) {
            // [inferred] Ashby requires the private-fields toggle; the exact error is not documented
            throw new AshbyError("missing_endpoint_permission",
                    "Creating private notes requires access to non-offer private fields");
        }
        Instant createdAt = c.has("createdAt") ? c.instant("createdAt") : c.now();
        ObjectNode n = newNote(c.org, cand.get("id").asText(), content, isPrivate, createdAt, c.actorUserId);
        c.org.notes.put(n);
        return Call.ok(Json.publicView(n));
    }

    static ObjectNode newNote(SimulatedOrganization org, String candidateId, String content, boolean isPrivate,
                              Instant createdAt, String authorId) {
        ObjectNode n = Json.object();
        n.put("id", Ids.uuid());
        n.put("createdAt", Json.iso(createdAt));
        n.put("isPrivate", isPrivate);
        n.put("content", content);
        ObjectNode user = org.users.get(authorId);
        ObjectNode author = n.putObject("author");
        author.put("id", authorId);
        author.put("firstName", user.get("firstName").asText());
        author.put("lastName", user.get("lastName").asText());
        author.put("email", user.get("email").asText());
        n.put("_candidateId", candidateId);
        return n;
    }

    /** Keeps b, i, u, a, ul, ol, li, code, pre (and p/br); strips other tags as Ashby does. */
    static String sanitizeHtml(String html) {
        return html.replaceAll("(?i)</?(?!(?:b|i|u|a|ul|ol|li|code|pre|p|br)\\b)[a-z][^>]*>", "");
    }

    private static ObjectNode listNotes(Call c) {
        String candidateId = existing(c, c.requiredString("candidateId")).get("id").asText();
        boolean privateAllowed = c.org.allowsPrivateFields();
        return c.org.syncLog.page(c, "candidate.listNotes:" + candidateId, c.org.notes, c.org.notes.group(candidateId),
                n -> privateAllowed || !n.get("isPrivate").asBoolean(), Json::publicView, true);
    }

    private static ObjectNode attach(Call c, String handleField, boolean resume) {
        ObjectNode cand = existing(c, c.requiredString("candidateId"));
        String handle = c.requiredString(handleField);
        SimulatedOrganization.StoredFile file = c.org.filesByHandle.get(handle);
        if (file == null) {
            throw AshbyError.invalidInput("Field '" + handleField + "' is not a valid uploaded file handle");
        }
        ObjectNode fh = Json.object().put("id", file.id()).put("name", file.name()).put("handle", file.handle());
        if (resume) {
            cand.set("resumeFileHandle", fh);
            // resume parsing fills only empty fields: existing data wins
            if (!cand.has("position")) {
                cand.put("position", "Software Engineer");
            }
        }
        ((ArrayNode) cand.get("fileHandles")).add(fh.deepCopy());
        cand.put("updatedAt", Json.iso(c.now()));
        c.org.candidates.touch(cand.get("id").asText());
        return Call.ok(view(cand));
    }

    private static ObjectNode addProject(Call c) {
        ObjectNode cand = existing(c, c.requiredString("candidateId"));
        String projectId = c.requiredString("projectId");
        if (c.org.projects.get(projectId) == null) {
            throw AshbyError.notFound("project_not_found", "Project");
        }
        ArrayNode projectIds = cand.has("_projectIds") ? (ArrayNode) cand.get("_projectIds")
                : cand.putArray("_projectIds");
        boolean present = false;
        for (JsonNode p : projectIds) {
            present |= projectId.equals(p.asText());
        }
        if (!present) {
            projectIds.add(projectId);
            c.org.candidates.touch(cand.get("id").asText());
        }
        return Call.ok(view(cand));
    }
}
