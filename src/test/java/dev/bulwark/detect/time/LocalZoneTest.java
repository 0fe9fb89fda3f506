package dev.bulwark.detect.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Wall clock to epoch and back, against glibc's mktime under fail2ban's test zone (values from Python's time.mktime). */
class LocalZoneTest {
    private static long wall(int year, int month, int day, int hour, int minute, int second) {
        return LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
    }

    @Test
    void aTimeInTheSpringGapMovesForward() {
        LocalZone zone = new LocalZone(Fail2banTestZone.zone());
        assertThat(zone.epochOf(wall(2005, 3, 27, 1, 59, 59))).isEqualTo(1111885199L);
        assertThat(zone.epochOf(wall(2005, 3, 27, 2, 30, 0))).isEqualTo(1111887000L);
        assertThat(zone.epochOf(wall(2005, 3, 27, 3, 0, 0))).isEqualTo(1111885200L);
    }

    @Test
    void aTimeTheAutumnRepeatsTakesThePreviousAnswersOffset() {
        // glibc: a fresh process (guess 0) takes standard time; after a summer date, summer time.
        LocalZone fresh = new LocalZone(Fail2banTestZone.zone());
        assertThat(fresh.epochOf(wall(2005, 10, 30, 1, 30, 0))).isEqualTo(wall(2005, 10, 30, 0, 30, 0));
        LocalZone afterSummer = new LocalZone(Fail2banTestZone.zone());
        afterSummer.epochOf(wall(2005, 8, 1, 12, 0, 0));
        assertThat(afterSummer.epochOf(wall(2005, 10, 30, 1, 30, 0))).isEqualTo(wall(2005, 10, 29, 23, 30, 0));
        afterSummer.epochOf(wall(2005, 10, 30, 2, 30, 0));
        assertThat(afterSummer.epochOf(wall(2005, 10, 30, 1, 30, 0))).isEqualTo(wall(2005, 10, 30, 0, 30, 0));
    }

    @Test
    void theKeptPeriodsNeverAnswerForAnotherPeriod() {
        ZoneId zurich = ZoneId.of("Europe/Zurich");
        LocalZone zone = new LocalZone(zurich);
        long[] walls = {wall(2005, 8, 1, 12, 0, 0), wall(2005, 12, 1, 12, 0, 0), wall(2005, 8, 2, 12, 0, 0),
            wall(1975, 7, 1, 12, 0, 0), wall(2030, 7, 1, 12, 0, 0), wall(2005, 3, 27, 1, 59, 59),
            wall(2005, 3, 27, 3, 0, 0), wall(2005, 10, 30, 3, 0, 0), wall(2005, 10, 30, 1, 59, 59)};
        for (int round = 0; round < 3; round++) {
            for (long wall : walls) {
                LocalDateTime local = LocalDateTime.ofEpochSecond(wall, 0, ZoneOffset.UTC);
                assertThat(zone.epochOf(wall)).as("%s", local).isEqualTo(local.atZone(zurich).toEpochSecond());
                long epoch = local.atZone(zurich).toEpochSecond();
                assertThat(zone.offsetAt(epoch)).isEqualTo(zurich.getRules().getOffset(local.atZone(zurich).toInstant())
                        .getTotalSeconds());
            }
        }
    }
}
