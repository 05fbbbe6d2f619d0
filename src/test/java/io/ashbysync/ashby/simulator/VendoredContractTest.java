package io.ashbysync.ashby.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The OpenAPI copy the tests use is byte for byte the project's contract (../shared/ashby-contract). */
class VendoredContractTest {
    /** sha256 recorded in ../shared/ashby-contract/README.md. */
    private static final String CONTRACT_SHA256 = "10fbf91e7ec2d6aed033e6bf5cba50ddcb02725e91c05fd5ab19433d7d61093b";

    @Test
    void vendoredCopy_isTheRecordedContract() throws Exception {
        try (InputStream in = VendoredContractTest.class.getResourceAsStream("/simulator/ashby-openapi.json")) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(CONTRACT_SHA256);
        }
    }

    @Test
    void vendoredCopy_matchesTheSharedContractWhereItIsCheckedOut() throws IOException, Exception {
        Path shared = Path.of("..", "shared", "ashby-contract", "ashby-openapi.json");
        assumeTrue(Files.exists(shared), "no ../shared checkout beside this clone");
        assertThat(sha256(Files.readAllBytes(shared))).isEqualTo(CONTRACT_SHA256);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
