package dev.bulwark.detect.filter;

/** A filter that cannot be loaded or compiled; the message names the file, the option and what to do. */
public final class FilterException extends RuntimeException {
    public FilterException(String message) {
        super(message);
    }

    public FilterException(String message, Throwable cause) {
        super(message, cause);
    }
}
