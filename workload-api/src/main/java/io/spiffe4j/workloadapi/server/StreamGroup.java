package io.spiffe4j.workloadapi.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The open streams of one stream RPC on one endpoint. Each gets the full state when it opens (WAPI-04: the request
 * is an event) and again after every change; a state that cannot be served (no identity: {@code PERMISSION_DENIED})
 * ends the streams with that status. Every send happens under this object's lock, so a stream never sees an older
 * state after a newer one and gRPC never sees two threads on one call.
 *
 * @param <R> the response message
 */
final class StreamGroup<R> {
  private final Supplier<R> state;
  /** The open streams, each with the last message sent on it. */
  private final Map<ServerCallStreamObserver<R>, R> streams = new IdentityHashMap<>();
  /** Once set, by {@link #close}, streams that open are ended with it at once. */
  private Status closedWith;

  /** {@code state} gives the current message or throws a {@link StatusRuntimeException}. */
  StreamGroup(Supplier<R> state) {
    this.state = state;
  }

  void open(StreamObserver<R> observer) {
    ServerCallStreamObserver<R> stream = (ServerCallStreamObserver<R>) observer;
    stream.setOnCancelHandler(() -> remove(stream));
    synchronized (this) {
      if (closedWith != null) {
        stream.onError(closedWith.asRuntimeException());
        return;
      }
      R message;
      try {
        message = state.get();
      } catch (StatusRuntimeException e) {
        stream.onError(e);
        return;
      }
      stream.onNext(message);
      streams.put(stream, message);
    }
  }

  /**
   * Sends the current state to every open stream; unless {@code force}, only to those whose last message differs,
   * so that a change elsewhere in the provider does not repeat an unchanged state.
   */
  synchronized void publish(boolean force) {
    if (streams.isEmpty()) {
      return;
    }
    R message;
    try {
      message = state.get();
    } catch (StatusRuntimeException e) {
      end(e.getStatus());
      return;
    }
    for (Map.Entry<ServerCallStreamObserver<R>, R> stream : streams.entrySet()) {
      if (force || !message.equals(stream.getValue())) {
        stream.getKey().onNext(message);
        stream.setValue(message);
      }
    }
  }

  /** Ends every open stream with {@code status}: cleanly if it is OK. */
  synchronized void end(Status status) {
    List<ServerCallStreamObserver<R>> ending = new ArrayList<>(streams.keySet());
    streams.clear();
    for (ServerCallStreamObserver<R> stream : ending) {
      if (status.isOk()) {
        stream.onCompleted();
      } else {
        stream.onError(status.asRuntimeException());
      }
    }
  }

  /** Ends every open stream with {@code status} and every stream that opens later: a call racing a shutdown. */
  synchronized void close(Status status) {
    closedWith = status;
    end(status);
  }

  synchronized int size() {
    return streams.size();
  }

  private synchronized void remove(ServerCallStreamObserver<R> stream) {
    streams.remove(stream);
  }
}
