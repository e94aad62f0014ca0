package io.backuprelay.console.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.activity.ActivityAction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page names every action of the log in each of its languages (activity.js shows {@code activity_<ACTION>}). */
class ActivityTextsTest {

    private static final Pattern LANGUAGE = Pattern.compile("(?m)^  (en|es|fr|pt): \\{(.*?)^  }", Pattern.DOTALL);

    @Test
    void everyActionHasALabelInEveryLanguage() throws IOException {
        String texts;
        try (InputStream in = ActivityTextsTest.class.getResourceAsStream("/console/i18n.js")) {
            texts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher language = LANGUAGE.matcher(texts);
        int languages = 0;
        while (language.find()) {
            String own = language.group(2);
            assertThat(Arrays.stream(ActivityAction.values()).map(a -> "activity_" + a.name() + ": \""))
                    .as(language.group(1)).allMatch(own::contains);
            languages++;
        }
        assertThat(languages).isEqualTo(4);
    }
}
