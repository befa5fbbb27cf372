"""Form fields shared by the authoring pages."""

from wtforms import IntegerField, SelectMultipleField, widgets


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes, one per choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WholeNumberField(IntegerField):
    """An integer field whose type error reads as an instruction."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number.") from None
