package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.azurite.AzuriteProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code ./backuprelay help} names every command there is: the jar's and the script's own. */
class BackuprelayScriptTest {

    private static final List<String> SCRIPT_ONLY = List.of("test", "chaos", "bench", "help");

    @Test
    void helpListsEveryCommandOfTheJarAndOfTheScriptWithoutBuildingAnything() throws Exception {
        Path root = AzuriteProcess.home().getParent().getParent();
        Run help = run(root, List.of("bash", root.resolve("backuprelay").toString(), "help"));

        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).doesNotContain("Building");
        for (String command : jarCommands()) {
            assertThat(help.output()).as("help names the jar's command " + command).contains("./backuprelay " + command + " ");
        }
        for (String command : SCRIPT_ONLY) {
            assertThat(help.output()).as("help names " + command).contains("./backuprelay " + command + " ");
        }
    }

    @Test
    void theScriptHandsTheJarExactlyTheCommandsItsMainTakes() throws Exception {
        Path script = AzuriteProcess.home().getParent().getParent().resolve("backuprelay");
        String branch = Files.readAllLines(script).stream().map(String::strip)
                .filter(l -> l.matches("[a-z|]+\\)") && l.contains("rekey")).findFirst().orElseThrow();

        assertThat(Arrays.asList(branch.substring(0, branch.length() - 1).split("\\|")))
                .containsExactlyInAnyOrderElementsOf(jarCommands());
    }

    /** The commands the jar's Main takes, as it names them when it refuses one. */
    private static List<String> jarCommands() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run refused = run(Path.of("."), List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "no-such-command"));
        String line = refused.output().lines().filter(l -> l.contains("Commands: ")).findFirst().orElseThrow();
        List<String> commands = Arrays.stream(line.substring(line.indexOf("Commands: ") + 10).split(",\\s*"))
                .map(String::strip).toList();
        assertThat(commands).contains("standalone", "token", "restore", "rekey");
        return commands;
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(Path directory, List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
