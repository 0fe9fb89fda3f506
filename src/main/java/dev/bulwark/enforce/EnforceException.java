package dev.bulwark.enforce;

/** An enforcer could not bring its target to the desired state; the message says what to do. */
public class EnforceException extends Exception {
    public EnforceException(String message) {
        super(message);
    }

    public EnforceException(String message, Throwable cause) {
        super(message, cause);
    }
}
