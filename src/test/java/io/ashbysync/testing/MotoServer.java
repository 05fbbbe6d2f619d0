package io.ashbysync.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A moto_server process (DynamoDB, SSM, S3 on one port) on a free port of 127.0.0.1. */
public final class MotoServer implements AutoCloseable {

    /** The exact message of a missing moto: what to run to get it. */
    public static final String INSTALL_COMMAND = "pip install 'moto[server]==5.2.1'";

    /** CI's minimal PATH has no pyenv shims, so look where pyenv installs its versions too. */
    public static final Path PYENV_VERSIONS = Path.of("/root/.pyenv/versions");

    /** Runs moto_server with fixes to moto's cost per request (see the file); relative to the project directory. */
    static final Path LAUNCHER = Path.of("infra", "moto-server.py");

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** The server's process id (its CPU is part of what a local run costs the machine). */
    public long pid() {
        return process.pid();
    }

    /** Thrown when no moto_server can be found; the message is the command that installs it. */
    public static final class NotInstalledException extends IllegalStateException {
        public NotInstalledException() {
            super(INSTALL_COMMAND);
        }
    }

    public static MotoServer start() {
        return start(locate(System.getenv(), PYENV_VERSIONS));
    }

    /** $MOTO_SERVER, else moto_server on the PATH, else the newest pyenv version that has it. */
    public static Path locate(Map<String, String> environment, Path pyenvVersions) {
        Optional<Path> explicit = Optional.ofNullable(environment.get("MOTO_SERVER")).filter(s -> !s.isBlank()).map(Path::of);
        if (explicit.isPresent()) {
            return explicit.filter(Files::isExecutable).orElseThrow(NotInstalledException::new);
        }
        for (String directory : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "moto_server"))) {
                return Path.of(directory, "moto_server");
            }
        }
        return pyenvCandidates(pyenvVersions).stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(NotInstalledException::new);
    }

    private static List<Path> pyenvCandidates(Path pyenvVersions) {
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(pyenvVersions)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(pyenvVersions)) {
                versions.forEach(version -> candidates.add(version.resolve("bin/moto_server")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        candidates.sort(Comparator.comparing((Path bin) -> versionNumbers(bin.getParent().getParent().getFileName().toString()),
                MotoServer::compareVersions).reversed());
        return candidates;
    }

    private static List<Integer> versionNumbers(String versionName) {
        return Arrays.stream(versionName.split("\\D+")).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
    }

    private static int compareVersions(List<Integer> left, List<Integer> right) {
        for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
            int byPart = Integer.compare(left.get(i), right.get(i));
            if (byPart != 0) {
                return byPart;
            }
        }
        return Integer.compare(left.size(), right.size());
    }

    public static MotoServer start(Path executable) {
        int port = freeLocalPort();
        try {
            Path log = Files.createTempFile("moto-server-", ".log");
            List<String> command = new ArrayList<>(launchCommand(executable));
            command.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
    }

    /**
     * {@link #LAUNCHER} run by the Python that has moto, so moto runs with the launcher's fixes: the moto_server
     * script's own (its {@code #!} line), else a {@code python3}/{@code python} beside it that imports moto (a pyenv
     * shim is a shell script, with the Python shims beside it); the executable itself when neither is found.
     */
    static List<String> launchCommand(Path executable) throws IOException {
        if (Files.isRegularFile(LAUNCHER)) {
            Optional<Path> python = scriptInterpreter(executable).or(() -> siblingPythonWithMoto(executable));
            if (python.isPresent()) {
                return List.of(python.get().toString(), LAUNCHER.toAbsolutePath().toString());
            }
        }
        System.err.println("moto_server runs without " + LAUNCHER + " (its transactions slow down as tables grow and are not isolated)");
        return List.of(executable.toString());
    }

    private static Optional<Path> scriptInterpreter(Path executable) throws IOException {
        byte[] head;
        try (var in = Files.newInputStream(executable)) {
            head = in.readNBytes(256);
        }
        String firstLine = new String(head, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        if (!firstLine.startsWith("#!")) return Optional.empty();
        Path interpreter = Path.of(firstLine.substring(2).trim().split("\\s+")[0]);
        return interpreter.getFileName().toString().startsWith("python") && Files.isExecutable(interpreter)
                ? Optional.of(interpreter) : Optional.empty();
    }

    private static Optional<Path> siblingPythonWithMoto(Path executable) {
        for (String name : List.of("python3", "python")) {
            Path python = executable.toAbsolutePath().getParent().resolve(name);
            if (Files.isExecutable(python) && importsMoto(python)) return Optional.of(python);
        }
        return Optional.empty();
    }

    private static boolean importsMoto(Path python) {
        try {
            Process probe = new ProcessBuilder(python.toString(), "-c", "import moto.server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json")).timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue() + ": " + logText());
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notListeningYet) {
                // Polled again below until the deadline.
            } catch (IOException e) {
                throw new UncheckedIOException("probing moto_server at " + endpoint, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for moto_server", e);
            }
            if (Instant.now().isAfter(deadline)) {
                close();
                throw new IllegalStateException("moto_server not ready at " + endpoint + " after " + STARTUP_TIMEOUT + ": " + logText());
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for moto_server", e);
            }
        }
    }

    /** Stops moto and anything it started (its Python may run a reloader child). */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception stillRunning) {
                handle.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // A leftover temp file does not matter.
        }
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static int freeLocalPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}
