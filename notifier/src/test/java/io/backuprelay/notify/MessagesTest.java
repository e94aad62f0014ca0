package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every text the emails use is written in each of the four languages, none left to fall back on English. */
class MessagesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"messages_en", "messages_es", "messages_fr", "messages_pt"})
    void everyLanguageHasEveryKeyOfTheDefaultTexts(String bundle) throws IOException {
        Set<String> expected = load("messages").stringPropertyNames();

        Properties texts = load(bundle);

        assertThat(texts.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(texts.stringPropertyNames()).allSatisfy(key -> assertThat(texts.getProperty(key)).isNotBlank());
    }

    private static Properties load(String name) throws IOException {
        try (InputStream in = MessagesTest.class.getResourceAsStream("/notify/" + name + ".properties")) {
            Properties properties = new Properties();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return properties;
        }
    }
}
