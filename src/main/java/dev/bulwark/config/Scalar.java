package dev.bulwark.config;

import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A scalar value with its {@code ${env:NAME}} and {@code ${file:PATH}} references replaced.
 * {@code secret} is true when any was: then the text must never be shown, only what was written.
 */
record Scalar(ScalarNode node, String text, boolean secret) {
    private static final int SHOWN_LENGTH = 60;

    /** Written as a bare YAML number, boolean or null rather than quoted, or produced by a reference (which has no type of its own). */
    boolean untyped() {
        return secret || node.isPlain();
    }

    boolean hasTag(Tag tag) {
        return !secret && node.isPlain() && node.getTag().equals(tag);
    }

    /** The value for a message: quoted and shortened, or for a secret only the reference that produced it. */
    String shown() {
        if (secret) {
            return "the value of '" + node.getValue() + "'";
        }
        String shortened = text.length() > SHOWN_LENGTH ? text.substring(0, SHOWN_LENGTH) + "..." : text;
        return "'" + shortened + "'";
    }
}
