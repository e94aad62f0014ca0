package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page's four languages say the same things: every text the page names exists in each of them. */
class PageTextsTest {

    private static final Pattern LANGUAGE = Pattern.compile("(?m)^  (en|es|fr|pt): \\{(.*?)^  }", Pattern.DOTALL);
    private static final Pattern KEY = Pattern.compile("(?m)(?:^|, |^\\s+)([A-Za-z_0-9]+): \"");

    @Test
    void everyLanguageHasEveryKeyAndEveryKeyThePageAndScriptName() throws IOException {
        Map<String, Set<String>> keys = new LinkedHashMap<>();
        Matcher language = LANGUAGE.matcher(resource("i18n.js"));
        while (language.find()) {
            Set<String> own = new TreeSet<>();
            Matcher key = KEY.matcher(language.group(2));
            while (key.find()) {
                own.add(key.group(1));
            }
            keys.put(language.group(1), own);
        }
        assertThat(keys).containsOnlyKeys("en", "es", "fr", "pt");
        Set<String> english = keys.get("en");
        assertThat(english).hasSizeGreaterThan(100);
        keys.forEach((name, own) -> assertThat(own).as(name).isEqualTo(english));

        Set<String> named = new TreeSet<>();
        Matcher attribute = Pattern.compile("data-i18n=\"([A-Za-z_0-9]+)\"").matcher(resource("index.html"));
        while (attribute.find()) {
            named.add(attribute.group(1));
        }
        for (String script : List.of("app.js", "places.js", "activity.js", "channels.js")) {
            Matcher call = Pattern.compile("\\bt\\(\"([A-Za-z_0-9]+)\"[,)]").matcher(resource(script));
            while (call.find()) {
                named.add(call.group(1));
            }
        }
        assertThat(named).hasSizeGreaterThan(50);
        assertThat(english).containsAll(named);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PageTextsTest.class.getResourceAsStream("/console/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
