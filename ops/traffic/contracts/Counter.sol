// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Counter — a tiny contract for successful non-token calls and for failing calls.
contract Counter {
    uint256 public count;

    event Incremented(address indexed by, uint256 count);

    function increment() external {
        count += 1;
        emit Incremented(msg.sender, count);
    }

    /// @notice Always reverts with a reason: the generator's "failing call" tx.
    function fail() external pure {
        revert("Counter: deliberate failure");
    }
}
