// Hand-written CBEngine files shared by the networks tests.
#pragma once

namespace greenwave::testing {

/// A CBEngine T-junction: signalized intersection 0 with legs N (roads 1 out, 2 in), E (3, 4) and
/// S (5, 6); the west leg is missing (-1), so phases 4 (E+W through) and 8 (W left+through) serve
/// no movement. Lanes: left-only, through-only, right-only.
inline constexpr const char* kTeeRoadnet = R"(4
30 120 0 1
30.001 120 1 0
30 120.001 2 0
29.999 120 3 0
3
0 1 300 20 3 3 1 2
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 2 400 10 3 3 3 4
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 3 300 20 3 3 5 6
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
1
0 1 3 5 -1
)";

/// Two flows on kTeeRoadnet: N -> E (left) 0..1000 every 5 s, E -> N (right) 100..5000 every 30 s.
inline constexpr const char* kTeeFlow = "2\n0 1000 5\n2\n2 3\n100 5000 30\n2\n4 1\n";

}  // namespace greenwave::testing
