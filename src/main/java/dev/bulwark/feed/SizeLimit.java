package dev.bulwark.feed;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A feed's {@code max_size}: the most bytes its body may have as it arrives, and its content
 * once unpacked (a small gzip body can unpack to gigabytes). Past it the round is refused and
 * the last good copy stays in force, before the download fills the state directory or the
 * parse the heap.
 *
 * <p>Written here rather than taken from a library: the JDK's own {@code BodyHandlers.limiting}
 * is from Java 25, after this project's release 21, and a counting stream is a few lines.
 */
final class SizeLimit {
    private SizeLimit() {
    }

    /** The body or content was larger than the limit; the message says which and by how much at least. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** {@code max} bytes as the configuration writes them: {@code 256MiB}, {@code 1GiB}. */
    static String describe(long max) {
        if (max % (1L << 30) == 0) {
            return (max >> 30) + "GiB";
        }
        if (max % (1L << 20) == 0) {
            return (max >> 20) + "MiB";
        }
        if (max % (1L << 10) == 0) {
            return (max >> 10) + "KiB";
        }
        return max + " bytes";
    }

    /**
     * {@code handler}, refusing a body of more than {@code max} bytes: at once when its
     * Content-Length says so, else as soon as more have arrived. The response's body then fails
     * with {@link TooLarge} and what {@code handler} wrote so far is closed.
     */
    static <T> BodyHandler<T> body(BodyHandler<T> handler, long max) {
        return info -> {
            OptionalLong declared = info.headers().firstValueAsLong("Content-Length");
            return new Limited<>(handler.apply(info), max, declared.isPresent() ? declared.getAsLong() : -1);
        };
    }

    private static final class Limited<T> implements BodySubscriber<T> {
        private final BodySubscriber<T> downstream;
        private final long max;
        private final long declared;
        private final CompletableFuture<T> body = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long received;
        private boolean refused;

        Limited(BodySubscriber<T> downstream, long max, long declared) {
            this.downstream = downstream;
            this.max = max;
            this.declared = declared;
            downstream.getBody().whenComplete((value, failure) -> {
                if (failure != null) {
                    body.completeExceptionally(failure);
                } else {
                    body.complete(value);
                }
            });
        }

        @Override
        public CompletionStage<T> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            downstream.onSubscribe(subscription);
            if (declared > max) {
                refuse("the body is " + declared + " bytes (its Content-Length)");
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (refused) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                received += buffer.remaining();
            }
            if (received > max) {
                refuse("more than " + max + " bytes of the body arrived");
                return;
            }
            downstream.onNext(buffers);
        }

        @Override
        public void onError(Throwable failure) {
            if (!refused) {
                downstream.onError(failure);
            }
        }

        @Override
        public void onComplete() {
            if (!refused) {
                downstream.onComplete();
            }
        }

        private void refuse(String what) {
            refused = true;
            TooLarge tooLarge = new TooLarge(what + ", past the feed's max_size of " + describe(max));
            // ours first, so that the caller sees why rather than how the download was cut
            body.completeExceptionally(tooLarge);
            subscription.cancel();
            downstream.onError(tooLarge);
        }
    }

    /** {@code input}, failing with {@link TooLarge} once it has given more than {@code max} bytes. */
    static InputStream content(InputStream input, long max) {
        return new FilterInputStream(input) {
            private long read;

            @Override
            public int read() throws IOException {
                int value = super.read();
                if (value >= 0) {
                    count(1);
                }
                return value;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int count = super.read(buffer, offset, length);
                if (count > 0) {
                    count(count);
                }
                return count;
            }

            @Override
            public long skip(long count) throws IOException {
                long skipped = super.skip(count);
                count(skipped);
                return skipped;
            }

            @Override
            public boolean markSupported() {
                return false;
            }

            private void count(long bytes) throws TooLarge {
                read += bytes;
                if (read > max) {
                    throw new TooLarge("the content unpacks to more than " + describe(max) + ", the feed's max_size");
                }
            }
        };
    }
}
