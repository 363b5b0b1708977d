"""Signals other apps listen to (connected in their AppConfig.ready()), so liaison, the bottom layer,
never imports them."""

from django.dispatch import Signal

# sent by liaison.actions.create_estate (and the demo) inside the creating transaction, with `estate`:
# the meetings app installs the estate's default cadence rules
estate_created = Signal()
