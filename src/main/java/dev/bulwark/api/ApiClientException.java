package dev.bulwark.api;

/** A call to the daemon's API failed; the message says why and what to do. */
public final class ApiClientException extends Exception {
    /** What went wrong, for the caller to choose an exit code. */
    public enum Kind {
        /** No daemon answered: not running, wrong address, timeout. */
        UNREACHABLE,
        /** 401: a key was needed and none was sent. */
        UNAUTHORIZED,
        /** 403: the key sent is not valid. */
        FORBIDDEN,
        /** 400: the request was malformed. */
        BAD_REQUEST,
        /** 404: no such thing (an unban of a target with no manual decision). */
        NOT_FOUND,
        /** 422: the daemon refused a ban (allowlisted, protected, too broad). */
        REFUSED,
        /** 5xx, or an answer that is not what the API sends. */
        SERVER
    }

    private final Kind kind;

    public ApiClientException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ApiClientException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
