package io.backuprelay.blob;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The storage clients' own name resolution: every address the HTTP client connects to is resolved
 * here and checked by the {@link EndpointPolicy} at that moment, so a DNS answer that changes after
 * the endpoint was allowed (rebinding to a private address) is refused before the connection.
 */
final class CheckedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final EndpointPolicy policy;

    CheckedResolverGroup(EndpointPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                try {
                    promise.setSuccess(policy.resolve(host).getFirst());
                } catch (RuntimeException e) {
                    promise.setFailure(e);
                }
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                try {
                    promise.setSuccess(policy.resolve(host));
                } catch (RuntimeException e) {
                    promise.setFailure(e);
                }
            }
        }.asAddressResolver();
    }
}
