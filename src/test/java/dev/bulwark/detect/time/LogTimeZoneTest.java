package dev.bulwark.detect.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LogTimeZoneTest {
    @Test
    void offsetsAbbreviationsAndTheirSums() {
        assertThat(LogTimeZone.parse("UTC")).isEqualTo(ZoneOffset.UTC);
        assertThat(LogTimeZone.parse("Z")).isEqualTo(ZoneOffset.UTC);
        assertThat(LogTimeZone.parse("GMT+12")).isEqualTo(ZoneOffset.ofHours(12));
        assertThat(LogTimeZone.parse("UTC-0430")).isEqualTo(ZoneOffset.ofHoursMinutes(-4, -30));
        assertThat(LogTimeZone.parse("+04:30")).isEqualTo(ZoneOffset.ofHoursMinutes(4, 30));
        assertThat(LogTimeZone.parse("CET")).isEqualTo(ZoneOffset.ofHours(1));
        assertThat(LogTimeZone.parse("CEST")).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(LogTimeZone.parse("CEST-01")).isEqualTo(ZoneOffset.ofHours(1));
        assertThat(LogTimeZone.parse("CET+0130")).isEqualTo(ZoneOffset.ofHoursMinutes(2, 30));
        assertThat(LogTimeZone.parse("NPT")).isEqualTo(ZoneOffset.ofHoursMinutes(5, 45));
        assertThat(LogTimeZone.parse("NST")).isEqualTo(ZoneOffset.ofHoursMinutes(-3, -30));
    }

    @Test
    void whatFail2banRefusesIsRefusedWithTheValue() {
        assertThatThrownBy(() -> LogTimeZone.parse("Europe/Zurich"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Europe/Zurich'");
        assertThatThrownBy(() -> LogTimeZone.parse("+0200x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogTimeZone.parse("utc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogTimeZone.parse("ABC"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abbreviation");
    }

    @Test
    void minutesOfATextSpan() {
        String line = "x +0200 -05:00 +01 CET+0130 ABC utc";
        assertThat(LogTimeZone.minutes(line, 2, 7)).isEqualTo(120);
        assertThat(LogTimeZone.minutes(line, 8, 14)).isEqualTo(-300);
        assertThat(LogTimeZone.minutes(line, 15, 18)).isEqualTo(60);
        assertThat(LogTimeZone.minutes(line, 19, 27)).isEqualTo(150);
        assertThat(LogTimeZone.minutes(line, 28, 31)).isEqualTo(LogTimeZone.NOT_IN_TABLE);
        assertThat(LogTimeZone.minutes(line, 32, 35)).isEqualTo(LogTimeZone.UNKNOWN);
    }
}
