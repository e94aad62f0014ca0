package io.backuprelay.rules;

import java.util.List;

/** A rule over the production code: what it finds wrong, one line per finding, naming the file. */
interface Rule {

    List<String> violations(List<SourceFile> files);
}
