package io.spiffe4j.workloadapi.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * The server side of the client's transport choice: epoll where its natives load, otherwise the JDK's NIO Unix
 * domain sockets (JDK 16+), both from grpc-netty-shaded.
 */
enum ServerIo {
  EPOLL,
  NIO;

  static ServerIo best() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /** One daemon thread runs every socket of a server: the calls' own work is on the server's executor. */
  EventLoopGroup newEventLoopGroup() {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("spiffe4j-workloadapi-server-io", true),
        this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  NettyServerBuilder unix(Path socket) {
    NettyServerBuilder builder = this == EPOLL
        ? NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
        : NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioServerDomainSocketChannel.class);
    // gRPC asks every accepted channel for TCP keep-alive, which a Unix socket lacks; Netty would warn each time.
    return builder.withChildOption(ChannelOption.SO_KEEPALIVE, null);
  }

  NettyServerBuilder tcp(InetSocketAddress address) {
    return NettyServerBuilder.forAddress(address)
        .channelType(this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
  }
}
