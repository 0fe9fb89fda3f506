package dev.bulwark.api;

/**
 * One rendering of the blocklist: its text and a tag that changes exactly when the text does
 * (an HTTP ETag, without quotes), so that appliances polling it get 304 while nothing changed.
 */
public record Blocklist(String text, String tag, long entries) {
}
