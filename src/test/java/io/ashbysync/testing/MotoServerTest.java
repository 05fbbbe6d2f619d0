package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MotoServerTest {

    @TempDir
    Path dir;

    @Test
    void missingMoto_failsWithTheInstallCommand() {
        Map<String, String> environment = Map.of("PATH", dir.resolve("bin").toString());

        assertThatThrownBy(() -> MotoServer.locate(environment, dir.resolve("pyenv-versions")))
                .isInstanceOf(MotoServer.NotInstalledException.class)
                .hasMessage("pip install 'moto[server]==5.2.1'");
    }

    @Test
    void motoServerVariableNamingNoExecutable_failsWithTheInstallCommand() {
        Map<String, String> environment = Map.of("MOTO_SERVER", dir.resolve("nothing-here").toString());

        assertThatThrownBy(() -> MotoServer.locate(environment, dir))
                .hasMessage("pip install 'moto[server]==5.2.1'");
    }

    @Test
    void motoServerVariable_winsOverPathAndPyenv() throws IOException {
        Path chosen = executable(dir.resolve("chosen/moto_server"));
        Path onPath = executable(dir.resolve("bin/moto_server"));

        assertThat(MotoServer.locate(Map.of("MOTO_SERVER", chosen.toString(), "PATH", onPath.getParent().toString()), dir))
                .isEqualTo(chosen);
    }

    @Test
    void withoutVariableOrPath_theNewestPyenvVersionIsUsed() throws IOException {
        executable(dir.resolve("versions/3.9.18/bin/moto_server"));
        Path newest = executable(dir.resolve("versions/3.11.7/bin/moto_server"));

        assertThat(MotoServer.locate(Map.of("PATH", dir.resolve("empty").toString()), dir.resolve("versions")))
                .isEqualTo(newest);
    }

    private static Path executable(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
