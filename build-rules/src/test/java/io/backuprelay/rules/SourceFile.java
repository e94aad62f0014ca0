package io.backuprelay.rules;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One Java file of the project's production code, parsed, with the module it belongs to. */
record SourceFile(String module, String relativePath, CompilationUnit unit, int lineCount) {

    private static final JavaParser PARSER =
            new JavaParser(new ParserConfiguration().setLanguageLevel(LanguageLevel.JAVA_21));

    /** Parses a snippet, for the tests that plant a defect to show a rule can fail. */
    static SourceFile of(String module, String relativePath, String code) {
        return new SourceFile(module, relativePath, parse(code, relativePath), (int) code.lines().count());
    }

    /** Every {@code src/main/java} file of every module under the project's root. */
    static List<SourceFile> productionCode(Path root) {
        try (Stream<Path> modules = Files.list(root)) {
            return modules.filter(module -> Files.isDirectory(module.resolve("src/main/java")))
                    .sorted()
                    .flatMap(module -> filesOf(root, module))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's root, seen from a module's directory (where the tests run). */
    static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("build-rules")) ? here : here.getParent();
    }

    String packageName() {
        return unit.getPackageDeclaration().map(p -> p.getNameAsString()).orElse("");
    }

    private static Stream<SourceFile> filesOf(Path root, Path module) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(module.resolve("src/main/java"))) {
            files = walk.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files.stream().map(file -> read(root, module, file));
    }

    private static SourceFile read(Path root, Path module, Path file) {
        try {
            String code = Files.readString(file);
            String relative = root.relativize(file).toString();
            return new SourceFile(module.getFileName().toString(), relative, parse(code, relative),
                    (int) code.lines().count());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CompilationUnit parse(String code, String name) {
        ParseResult<CompilationUnit> result = PARSER.parse(code);
        if (!result.isSuccessful() || result.getResult().isEmpty()) {
            throw new IllegalStateException("Cannot parse " + name + ": " + result.getProblems());
        }
        return result.getResult().get();
    }
}
