package io.ashbysync.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The identity index against DynamoDB (moto). */
@QuarkusTest
class IdentityIndexTest {
    @Inject
    IdentityIndex index;

    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void link_findsTheCandidateByProfileNormalisedEmailAndLinkedIn() {
        index.link(tenant, "c-1", "fp-1", List.of(" Ada@Example.COM "), List.of("https://uk.linkedin.com/in/Ada-L/?trk=x"));

        assertThat(index.candidateForProfile(tenant, "fp-1")).contains("c-1");
        assertThat(index.candidateForEmail(tenant, "ada@example.com")).contains("c-1");
        assertThat(index.candidateForLinkedIn(tenant, "linkedin.com/in/ada-l")).contains("c-1");
        assertThat(index.candidateForProfile(tenant + "-other", "fp-1")).as("tenants never see each other").isEmpty();
    }

    @Test
    void link_again_keepsEarlierEmailsAndAddsNewOnes() {
        index.link(tenant, "c-1", "fp-1", List.of("a@example.com"), List.of());
        index.link(tenant, "c-1", null, List.of("b@example.com"), List.of());

        assertThat(index.identity(tenant, "c-1")).hasValueSatisfying(i -> {
            assertThat(i.findemProfileId()).isEqualTo("fp-1");
            assertThat(i.emails()).containsExactlyInAnyOrder("a@example.com", "b@example.com");
        });
    }

    @Test
    void linkAshbyCandidate_followsAshby_anEmailChangedThereStopsFindingTheCandidate() throws Exception {
        index.link(tenant, "c-1", "fp-1", List.of("old@example.com"), List.of());
        index.link(tenant, "c-2", null, List.of("shared@example.com"), List.of());
        var candidate = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"id": "c-1", "primaryEmailAddress": {"value": "New@Example.com"},
                 "emailAddresses": [{"value": "new@example.com"}, {"value": "shared@example.com"}],
                 "socialLinks": [{"type": "LinkedIn", "url": "https://www.linkedin.com/in/ada"}]}""");

        index.linkAshbyCandidate(tenant, candidate);

        assertThat(index.candidateForEmail(tenant, "old@example.com")).isEmpty();
        assertThat(index.candidateForEmail(tenant, "new@example.com")).contains("c-1");
        assertThat(index.candidateForLinkedIn(tenant, "linkedin.com/in/ada")).contains("c-1");
        assertThat(index.candidateForProfile(tenant, "fp-1")).as("Findem's profile link is ours, not Ashby's").contains("c-1");
        assertThat(index.candidateForEmail(tenant, "shared@example.com")).as("the latest listing wins a shared email").contains("c-1");
    }

    @Test
    void linkAshbyCandidates_aPageAtOnce_movesAnEmailBetweenCandidatesAndTheLaterClaimWins() throws Exception {
        index.link(tenant, "c-1", "fp-1", List.of("moving@example.com"), List.of());
        index.link(tenant, "c-3", null, List.of("kept@example.com"), List.of());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> page = List.of(
                mapper.readTree("""
                        {"id": "c-1", "emailAddresses": [{"value": "one@example.com"}, {"value": "both@example.com"}]}"""),
                mapper.readTree("""
                        {"id": "c-2", "emailAddresses": [{"value": "moving@example.com"}, {"value": "both@example.com"}]}"""),
                mapper.readTree("""
                        {"id": "c-3", "emailAddresses": [{"value": "kept@example.com"}]}"""));

        index.linkAshbyCandidates(tenant, page);

        assertThat(index.candidateForEmail(tenant, "moving@example.com")).as("dropped by c-1, claimed by c-2 in the same page").contains("c-2");
        assertThat(index.candidateForEmail(tenant, "one@example.com")).contains("c-1");
        assertThat(index.candidateForEmail(tenant, "both@example.com")).as("the later candidate of the page").contains("c-2");
        assertThat(index.candidateForEmail(tenant, "kept@example.com")).contains("c-3");
        assertThat(index.candidateForProfile(tenant, "fp-1")).contains("c-1");
        assertThat(index.identity(tenant, "c-1")).hasValueSatisfying(i ->
                assertThat(i.emails()).containsExactlyInAnyOrder("one@example.com", "both@example.com"));
        assertThat(index.identity(tenant, "c-2")).hasValueSatisfying(i ->
                assertThat(i.emails()).containsExactlyInAnyOrder("moving@example.com", "both@example.com"));
    }

    @Test
    void merge_pointsEverythingOfTheDeletedCandidateAtTheSurvivor() {
        index.link(tenant, "c-old", "fp-1", List.of("old@example.com"), List.of("https://linkedin.com/in/old"));
        index.link(tenant, "c-new", null, List.of("new@example.com"), List.of());

        index.merge(tenant, "c-old", "c-new");

        assertThat(index.candidateForProfile(tenant, "fp-1")).contains("c-new");
        assertThat(index.candidateForEmail(tenant, "old@example.com")).contains("c-new");
        assertThat(index.candidateForLinkedIn(tenant, "https://linkedin.com/in/old")).contains("c-new");
        assertThat(index.identity(tenant, "c-old")).isEmpty();
    }

    @Test
    void remove_dropsThePointersThatStillPointAtTheCandidate() {
        index.link(tenant, "c-1", "fp-1", List.of("shared@example.com"), List.of());
        index.link(tenant, "c-2", null, List.of("shared@example.com"), List.of());

        index.remove(tenant, "c-1");

        assertThat(index.candidateForProfile(tenant, "fp-1")).isEmpty();
        assertThat(index.candidateForEmail(tenant, "shared@example.com")).as("now c-2's").contains("c-2");
        assertThat(index.identity(tenant, "c-1")).isEmpty();
    }

    @Test
    void keys_normaliseOrRefuse() {
        assertThat(IdentityKeys.email("not an email")).isEmpty();
        assertThat(IdentityKeys.linkedIn("https://example.com/in/ada")).isEmpty();
        assertThat(IdentityKeys.linkedIn("www.linkedin.com/in/ada/")).contains("linkedin.com/in/ada");
    }
}
