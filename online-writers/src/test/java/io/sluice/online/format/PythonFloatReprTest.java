package io.sluice.online.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Python's repr(float); every expected text was printed by CPython 3.11. */
class PythonFloatReprTest {
  static Stream<Arguments> doubles() {
    return Stream.of(
        arguments(0.0, "0.0"),
        arguments(-0.0, "-0.0"),
        arguments(1.0, "1.0"),
        arguments(-1.0, "-1.0"),
        arguments(0.5, "0.5"),
        arguments(100.0, "100.0"),
        arguments(1234.5, "1234.5"),
        arguments(-273.15, "-273.15"),
        arguments(299792458.0, "299792458.0"),
        arguments(0.1, "0.1"),
        arguments(0.3, "0.3"),
        arguments(0.1 + 0.2, "0.30000000000000004"),
        arguments(1.0 / 3, "0.3333333333333333"),
        arguments(2.0 / 3, "0.6666666666666666"),
        arguments(Math.PI, "3.141592653589793"),
        arguments(Math.E, "2.718281828459045"),
        arguments(4.35, "4.35"),
        arguments(123.456, "123.456"),
        // Fixed notation up to a decimal exponent of 15, scientific from 16.
        arguments(1e15, "1000000000000000.0"),
        arguments(9999999999999998.0, "9999999999999998.0"),
        arguments(9007199254740993.0, "9007199254740992.0"),
        arguments(1e16, "1e+16"),
        arguments(12345678901234567.0, "1.2345678901234568e+16"),
        arguments(123456789012345678.0, "1.2345678901234568e+17"),
        arguments(0x1p63, "9.223372036854776e+18"),
        arguments(1e100, "1e+100"),
        // Fixed notation down to a decimal exponent of -4, scientific below.
        arguments(0.0001, "0.0001"),
        arguments(0.00012345, "0.00012345"),
        arguments(1e-4 * 3, "0.00030000000000000003"),
        arguments(0.00001, "1e-05"),
        arguments(-0.00001, "-1e-05"),
        arguments(5e-5, "5e-05"),
        arguments(1.5e-7, "1.5e-07"),
        arguments(9.5367431640625e-7, "9.5367431640625e-07"),
        arguments(1.2345e-300, "1.2345e-300"),
        // Where Java 17's Double.toString prints other or more digits than the shortest.
        arguments(1e22, "1e+22"),
        arguments(1e23, "1e+23"),
        arguments(2e23, "2e+23"),
        arguments(8.41e21, "8.41e+21"),
        arguments(2.82879384806159e17, "2.82879384806159e+17"),
        arguments(6.02214076e23, "6.02214076e+23"),
        // Extremes.
        arguments(Double.MIN_VALUE, "5e-324"),
        arguments(Double.MIN_NORMAL, "2.2250738585072014e-308"),
        arguments(Double.MAX_VALUE, "1.7976931348623157e+308"),
        arguments(Double.POSITIVE_INFINITY, "inf"),
        arguments(Double.NEGATIVE_INFINITY, "-inf"),
        arguments(Double.NaN, "nan"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("doubles")
  void printsWhatPythonPrints(double value, String python) {
    assertThat(PythonFloatRepr.format(value)).isEqualTo(python);
  }

  /** A FLOAT feature reaches Feast's Python as the double of the float. */
  static Stream<Arguments> floats() {
    return Stream.of(
        arguments(0.1f, "0.10000000149011612"),
        arguments(0.2f, "0.20000000298023224"),
        arguments(0.3f, "0.30000001192092896"),
        arguments(1.1f, "1.100000023841858"),
        arguments(2.5f, "2.5"),
        arguments(16777217f, "16777216.0"),
        arguments(Float.MAX_VALUE, "3.4028234663852886e+38"),
        arguments(Float.MIN_VALUE, "1.401298464324817e-45"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("floats")
  void printsAFloatAsPythonPrintsItsDouble(float value, String python) {
    assertThat(PythonFloatRepr.format(value)).isEqualTo(python);
  }
}
