"""What the pages' forms share: the French form base, shared fields, and services' field errors shown on a form."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, SelectMultipleField
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextArea

from ..services.errors import FieldError
from ..text import control_message, first_control


class FrenchForm(FlaskForm):
    """A form whose built-in messages are in French (WTForms ships the translation), and which refuses control
    characters (NUL included) in every field; a multi-line field may hold tabs and line breaks."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form: Any) -> Any:
            return DefaultMeta.get_translations(self, form)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            lines = isinstance(field.widget, TextArea)
            bad = next(filter(None, (first_control(raw, lines=lines) for raw in field.raw_data or ()
                                     if isinstance(raw, str))), None)
            if bad is not None:
                field.errors = [control_message(bad)]  # the cause, instead of what the conversion made of it
                valid = False
        return valid


class ActionForm(FrenchForm):
    """An empty form: the CSRF token of a button that changes something (sync now, delete, export now...)."""


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes; choices are checked by the form itself."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        unknown = sorted(set(self.data or ()) - {value for value, _ in self.choices})
        if unknown:
            raise ValidationError(f"Donnée inconnue pour ce PDL : {', '.join(unknown)}.")


class CommaDecimalField(DecimalField):
    """A decimal accepting a comma (``0,25``)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            valuelist = [str(valuelist[0]).strip().replace(",", ".")]
        super().process_formdata(valuelist)

    def _value(self) -> str:
        """The number as typed, else without trailing zeros: ``30``, not ``30.0`` (a number input keeps its dot)."""
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return format(Decimal(str(self.data)).normalize(), "f")


def add_field_errors(form: FlaskForm, error: FieldError,
                     field_of: Callable[[str], tuple[Field, str]] | None = None, fallback: str = "") -> None:
    """Show each message of ``error`` next to its field: the form's field of that name, else the one ``field_of``
    gives for the service's key (with a prefix for the message), else the ``fallback`` field."""
    for key, message in error.errors.items():
        if key in form:
            field, prefix = form[key], ""
        elif field_of is not None:
            field, prefix = field_of(key)
        else:
            field, prefix = form[fallback], ""
        field.errors = [*field.errors, prefix + message]
