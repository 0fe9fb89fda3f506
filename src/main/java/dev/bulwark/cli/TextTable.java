package dev.bulwark.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Columns aligned for people: each as wide as its widest cell, two spaces apart; null shows as {@code -}. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();

    /** A table with a header row, or none when {@code header} is empty. */
    TextTable(String... header) {
        if (header.length > 0) {
            rows.add(header);
        }
    }

    TextTable row(String... cells) {
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null || cells[i].isEmpty() ? "-" : cells[i];
        }
        rows.add(row);
        return this;
    }

    void print(PrintWriter out, String indent) {
        int columns = 0;
        for (String[] row : rows) {
            columns = Math.max(columns, row.length);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder line = new StringBuilder();
        for (String[] row : rows) {
            line.setLength(0);
            line.append(indent);
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.repeat(' ', widths[i] - row[i].length() + 2);
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
