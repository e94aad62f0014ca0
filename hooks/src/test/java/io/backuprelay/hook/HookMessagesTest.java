package io.backuprelay.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.ResourceBundle;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The four languages of the channels' messages say the same things. */
class HookMessagesTest {

    @Test
    void everyLanguageHasEveryTextAndTranslatesIt() {
        ResourceBundle english = ResourceBundle.getBundle("hook/messages", Locale.ENGLISH);
        Set<String> keys = english.keySet();
        for (String language : ChannelTexts.LANGUAGES) {
            ResourceBundle texts = ResourceBundle.getBundle("hook/messages", Locale.forLanguageTag(language));
            assertThat(texts.getLocale().getLanguage()).isEqualTo(language);
            assertThat(texts.keySet()).as(language).containsExactlyInAnyOrderElementsOf(keys);
            if (!language.equals("en")) {
                assertThat(texts.getString("test.text")).isNotEqualTo(english.getString("test.text"));
                assertThat(texts.getString("advice.DUMP")).isNotEqualTo(english.getString("advice.DUMP"));
            }
        }
    }
}
