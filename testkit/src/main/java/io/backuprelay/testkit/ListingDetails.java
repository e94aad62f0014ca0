package io.backuprelay.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds what List Blobs tells of each blob's immutability when asked ({@code include=immutabilitypolicy,legalhold})
 * to Azurite's listing, as Azure's {@code <Properties>} elements: {@code ImmutabilityPolicyUntilDate} (RFC 1123),
 * {@code ImmutabilityPolicyMode}, {@code LegalHold}.
 */
final class ListingDetails {

    private static final Pattern BLOB = Pattern.compile("<Blob>\\s*<Name>(.*?)</Name>(.*?)</Properties>",
            Pattern.DOTALL);

    private ListingDetails() {
    }

    /** @param containerPath the listing's path, {@code /account/container} */
    static byte[] add(byte[] xml, String containerPath, Map<String, ImmutableAzure.Policy> policies, boolean policy,
                      boolean hold) {
        Matcher blobs = BLOB.matcher(new String(xml, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        while (blobs.find()) {
            ImmutableAzure.Policy found = policies.get(containerPath + "/" + unescape(blobs.group(1)));
            StringBuilder added = new StringBuilder();
            if (found != null && policy && found.until() != null) {
                added.append("<ImmutabilityPolicyUntilDate>").append(ImmutableAzure.RFC1123.format(found.until()))
                        .append("</ImmutabilityPolicyUntilDate><ImmutabilityPolicyMode>")
                        .append(found.mode().toLowerCase(Locale.ROOT)).append("</ImmutabilityPolicyMode>");
            }
            if (found != null && hold) {
                added.append("<LegalHold>").append(found.legalHold()).append("</LegalHold>");
            }
            blobs.appendReplacement(out, Matcher.quoteReplacement("<Blob><Name>" + blobs.group(1) + "</Name>"
                    + blobs.group(2) + added + "</Properties>"));
        }
        blobs.appendTail(out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String unescape(String xml) {
        return xml.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }
}
