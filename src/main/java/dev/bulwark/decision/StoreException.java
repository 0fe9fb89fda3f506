package dev.bulwark.decision;

/** The store could not read or write: the message says which file or database and why. */
public final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
