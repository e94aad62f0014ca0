package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import org.junit.jupiter.api.Test;

/** The reasons for the errors Azure gives that the emulator does not. */
class BlobErrorsTest {

    private final Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", "acmeblobs",
            "db-backups", "", new SealedSecret("k1", "x"), true, null, null, null, null, null);

    @Test
    void anAuthenticationFailureNamesTheKey() {
        assertThat(BlobErrors.reason(connection, error(403, "AuthenticationFailed")))
                .isEqualTo("Storage account 'acmeblobs' rejected the access key. Update the key of the connection 'main'.");
    }

    @Test
    void aDisabledAccountSaysSo() {
        assertThat(BlobErrors.reason(connection, error(403, "AccountIsDisabled")))
                .isEqualTo("Storage account 'acmeblobs' is disabled.");
    }

    @Test
    void anImmutableBlobSaysWhatRefusedTheWrite() {
        assertThat(BlobErrors.reason(connection, error(409, "BlobImmutableDueToPolicy")))
                .isEqualTo("The blob is kept by an immutability policy or a legal hold in container 'db-backups' of"
                        + " storage account 'acmeblobs': it cannot be overwritten or deleted until the policy expires"
                        + " (or the hold is lifted).");
    }

    private static BlobStorageException error(int status, String code) {
        HttpHeaders headers = new HttpHeaders().set("x-ms-error-code", code);
        HttpRequest request = new HttpRequest(HttpMethod.PUT, "https://acmeblobs.blob.core.windows.net/db-backups/x");
        HttpResponse response = new HttpResponse(request) {
            @Override public int getStatusCode() { return status; }
            @Override @Deprecated public String getHeaderValue(String name) { return headers.getValue(name); }
            @Override public HttpHeaders getHeaders() { return headers; }
            @Override public Flux<ByteBuffer> getBody() { return Flux.empty(); }
            @Override public Mono<byte[]> getBodyAsByteArray() { return Mono.empty(); }
            @Override public Mono<String> getBodyAsString() { return Mono.empty(); }
            @Override public Mono<String> getBodyAsString(Charset charset) { return Mono.empty(); }
        };
        return new BlobStorageException(code, response, null);
    }
}
