package io.backuprelay.rules;

import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.expr.TextBlockLiteralExpr;
import com.github.javaparser.ast.expr.LiteralStringValueExpr;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.blob.BlobMetadata;
import io.backuprelay.format.manifest.ManifestNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a stored backup looks like is spelled in {@code backup-format} only: no other module writes the manifest's
 * name, a metadata key or a format word in a string, so the copies cannot disagree again. The words are read from
 * backup-format itself. Metadata keys that are also plain English ({@code engine}, {@code format}) and the word
 * {@code none} are left out: they mean other things elsewhere (a JSON field, a masked secret).
 */
final class StoredBackupWords implements Rule {

    static final String OWNER = "backup-format";

    private final List<Pattern> words;

    StoredBackupWords() {
        Set<String> spelled = new LinkedHashSet<>();
        spelled.add(ManifestNames.SUFFIX);
        spelled.add(BlobMetadata.HEADER_PREFIX);
        Stream.of(BlobMetadata.BACKUP_ID, BlobMetadata.ACCOUNT_ID, BlobMetadata.WRITTEN_BY, BlobMetadata.REQUESTED_AT)
                .forEach(spelled::add);
        Stream.of(Compression.values()).filter(c -> c != Compression.NONE).map(Compression::label).forEach(spelled::add);
        Stream.of(Encryption.values()).filter(e -> e != Encryption.NONE).map(Encryption::label).forEach(spelled::add);
        Stream.of(DumpFormat.values()).map(DumpFormat::label).forEach(spelled::add);
        Stream.of(Engine.values()).map(Engine::label).forEach(spelled::add);
        this.words = spelled.stream()
                .map(word -> Pattern.compile("(?<![\\w-])" + Pattern.quote(word) + (word.endsWith("-") ? "" : "(?![\\w-])")))
                .toList();
    }

    List<Pattern> words() {
        return words;
    }

    @Override
    public List<String> violations(List<SourceFile> files) {
        List<String> found = new ArrayList<>();
        for (SourceFile file : files) {
            if (file.module().equals(OWNER)) {
                continue;
            }
            Stream.concat(file.unit().findAll(StringLiteralExpr.class).stream(),
                            file.unit().findAll(TextBlockLiteralExpr.class).stream())
                    .map(LiteralStringValueExpr.class::cast)
                    .forEach(literal -> words.stream()
                            .filter(word -> word.matcher(literal.getValue()).find())
                            .findFirst()
                            .ifPresent(word -> found.add(file.relativePath() + ":"
                                    + literal.getBegin().map(position -> position.line).orElse(0) + " spells '"
                                    + word.pattern().replaceAll("^.*\\\\Q|\\\\E.*$", "")
                                    + "', which only backup-format may: use its names")));
        }
        return found;
    }
}
