package io.spiffe4j.workloadapi.server;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A plain gRPC channel to a socket, without the client's interceptor, so a test chooses the metadata itself: none,
 * or a {@code workload.spiffe.io} header of its choice. For what the client cannot show (the header rule, the raw
 * messages, the WIT calls).
 */
final class RawChannel implements AutoCloseable {
  private static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

  private final EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ManagedChannel channel;

  RawChannel(Path socket) {
    channel = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
        .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
        .eventLoopGroup(eventLoop)
        .usePlaintext()
        .overrideAuthority("localhost")
        .withOption(ChannelOption.SO_KEEPALIVE, null)
        .build();
  }

  /** The channel with {@code workload.spiffe.io: value}, or without the header if {@code value} is null. */
  Channel header(String value) {
    if (value == null) {
      return channel;
    }
    Metadata headers = new Metadata();
    headers.put(SECURITY_HEADER, value);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  static <Q, R> R unary(Channel channel, MethodDescriptor<Q, R> method, Q request) {
    return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        request);
  }

  /** The first message of a server stream. */
  static <Q, R> R first(Channel channel, MethodDescriptor<Q, R> method, Q request) {
    return ClientCalls.blockingServerStreamingCall(channel, method,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), request).next();
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
